"""The %workflow magics in a real kernel over jupyter_client: live display updates, interrupt
(SIGINT and interrupt_request) cancelling a run, completion. Run by notebook-magics.test.ts with
AK_PROJECT set to a scratch copy of notebooks/ (the kernel's working directory)."""
import unittest

from kernel_session import TIMEOUT, LiveKernelTestCase, shows_step_running, text_plain

SLEEPY = """%%workflow --name sleepy
steps:
  - id: nap
    type: function
    function: quickstart.wait
    inputs: {ms: 600000}
"""

STEPS = """%%workflow --name steps
steps:
  - {id: one, type: function, function: quickstart.wait, inputs: {ms: 250}}
  - {id: two, type: function, function: quickstart.wait, inputs: {ms: 250}}
  - {id: three, type: function, function: quickstart.wait, inputs: {ms: 250}}
"""

APPROVAL = """%%workflow --name approval
inputs: {release: {default: "2.0"}}
steps:
  - {id: ask, type: input, prompt: "Ship release {{ inputs.release }}?"}
  - {id: record, type: tool, tool: tools.echo, inputs: {message: steps.ask.value}}
"""


class NotebookMagics(LiveKernelTestCase):
    def run_cell(self, code, on_message=None, stop_on_error=True):
        _, reply, iopub = self.execute_cell(code, on_message, stop_on_error=stop_on_error)
        return reply, iopub

    def interrupt_run(self, interrupt):
        state = {"sent": False}

        def on_message(msg):
            if not state["sent"] and shows_step_running(msg, "nap"):
                state["sent"] = True
                interrupt()

        # stop_on_error=False: the next cells follow at once, inside the kernel's abort window for
        # requests queued behind a failed cell, and must run, not be aborted.
        reply, iopub = self.run_cell(SLEEPY, on_message, stop_on_error=False)
        self.assertTrue(state["sent"], "the running step never showed up")
        self.assertEqual(reply["status"], "error")
        self.assertEqual(reply["ename"], "AR-CANCELLED")
        self.assertIn("%resume ", reply["evalue"])
        errors = [m for m in iopub if m["msg_type"] == "error"]
        self.assertEqual(len(errors), 1)
        run_id = reply["evalue"].split("%resume ")[1].split()[0]
        runs, _ = self.run_cell("%runs --status CANCELLED")
        self.assertEqual(runs["status"], "ok")
        # The kernel keeps its state and goes on.
        after, iopub = self.run_cell("40 + 2")
        self.assertEqual(after["status"], "ok")
        self.assertIn("42", [text_plain(m) for m in iopub if m["msg_type"] == "execute_result"])
        return run_id

    def test_interrupt_by_signal_cancels_the_run(self):
        run_id = self.interrupt_run(self.km.interrupt_kernel)
        _, iopub = self.run_cell("%runs --status CANCELLED")
        self.assertIn(run_id, "".join(text_plain(m) for m in iopub if m["msg_type"] == "execute_result"))

    def test_interrupt_request_on_control_cancels_the_run(self):
        self.interrupt_run(self.send_interrupt_request)

    def test_progress_is_one_display_updated_in_place(self):
        reply, iopub = self.run_cell(STEPS)
        self.assertEqual(reply["status"], "ok")
        first = [m for m in iopub if m["msg_type"] == "display_data"]
        updates = [m for m in iopub if m["msg_type"] == "update_display_data"]
        self.assertEqual(len(first), 1)
        display_id = first[0]["content"]["transient"]["display_id"]
        self.assertGreaterEqual(len(updates), 2)
        self.assertTrue(all(m["content"]["transient"]["display_id"] == display_id for m in updates))
        final = text_plain(updates[-1])
        self.assertIn("steps@v1 · COMPLETED", final)
        for step in ("one", "two", "three"):
            self.assertRegex(final, r"✓ %s +function +COMPLETED" % step)
        self.assertIn("text/html", updates[-1]["content"]["data"])

    def test_input_step_asks_through_input_request(self):
        msg_id = self.kc.execute(APPROVAL, allow_stdin=True)
        request = self.kc.get_stdin_msg(timeout=TIMEOUT)
        self.assertEqual(request["msg_type"], "input_request")
        self.assertEqual(request["parent_header"]["msg_id"], msg_id)
        self.assertEqual(request["content"]["prompt"], "Ship release 2.0? ")
        self.kc.input("ship it")
        iopub = self.messages_until_idle(msg_id)
        reply = self.kc.get_shell_msg(timeout=TIMEOUT)
        self.assertEqual(reply["content"]["status"], "ok")
        results = "".join(text_plain(m) for m in iopub if m["msg_type"] == "execute_result")
        self.assertIn('record: {"message":"ship it"}', results)

    def test_magics_complete(self):
        msg_id = self.kc.complete("%wor", 4)
        reply = self.kc.get_shell_msg(timeout=TIMEOUT)
        self.assertEqual(reply["parent_header"]["msg_id"], msg_id)
        self.assertEqual(reply["content"]["matches"], ["%workflow"])
        self.assertEqual((reply["content"]["cursor_start"], reply["content"]["cursor_end"]), (0, 4))
        self.kc.complete("%workflow workflows/tri", 23)
        reply = self.kc.get_shell_msg(timeout=TIMEOUT)
        self.assertEqual(reply["content"]["matches"], ["workflows/triage.yaml"])


if __name__ == "__main__":
    unittest.main()
