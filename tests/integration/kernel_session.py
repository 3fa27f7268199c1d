"""What the live-kernel suites (test_notebook_magics.py, test_plain_cells.py) share: one
agentkernel started over jupyter_client in AK_PROJECT for the whole class, and running a cell
while collecting its iopub messages until the kernel goes idle."""
import os
import unittest

from jupyter_client.manager import KernelManager

TIMEOUT = 60
PROJECT = os.environ["AK_PROJECT"]


def text_plain(msg):
    return msg["content"].get("data", {}).get("text/plain", "")


def is_display(msg):
    return msg["msg_type"] in ("display_data", "update_display_data")


def shows_step_running(msg, step):
    """Whether `msg` is a progress display in which `step` is RUNNING."""
    return is_display(msg) and step in text_plain(msg) and "RUNNING" in text_plain(msg)


class LiveKernelTestCase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.km = KernelManager(kernel_name="agentkernel")
        cls.km.start_kernel(cwd=PROJECT)
        cls.kc = cls.km.client()
        cls.kc.start_channels()
        cls.kc.wait_for_ready(timeout=TIMEOUT)

    @classmethod
    def tearDownClass(cls):
        cls.kc.stop_channels()
        cls.km.shutdown_kernel(now=True)

    def messages_until_idle(self, msg_id, on_message=None, others=None):
        """The iopub messages of request `msg_id` up to its idle status; those of other requests go
        to `others` when given."""
        out = []
        while True:
            msg = self.kc.get_iopub_msg(timeout=TIMEOUT)
            if msg["parent_header"].get("msg_id") != msg_id:
                if others is not None:
                    others.append(msg)
                continue
            out.append(msg)
            if on_message:
                on_message(msg)
            if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                return out

    def execute_cell(self, code, on_message=None, others=None, stop_on_error=True):
        """Runs `code`; returns (msg_id, execute_reply content, iopub messages)."""
        msg_id = self.kc.execute(code, stop_on_error=stop_on_error)
        iopub = self.messages_until_idle(msg_id, on_message, others)
        reply = self.kc.get_shell_msg(timeout=TIMEOUT)
        self.assertEqual(reply["parent_header"]["msg_id"], msg_id)
        return msg_id, reply["content"], iopub

    def send_interrupt_request(self):
        self.kc.control_channel.send(self.kc.session.msg("interrupt_request", {}))
