"""Protocol behaviours of the installed agentkernel, driven by the real jupyter_client.

Run by tests/integration/kernel-protocol.test.ts with /usr/bin/python3, JUPYTER_PATH pointing at
a temporary prefix the kernel was installed into, and AGENTKERNEL_HISTORY at a temporary file.
"""
import json
import os
import time
import unittest
import uuid
from queue import Empty

import zmq
from jupyter_client.manager import KernelManager
from jupyter_client.session import Session

TIMEOUT = 30
KERNEL = "agentkernel"


def start():
    km = KernelManager(kernel_name=KERNEL)
    km.start_kernel()
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=TIMEOUT)
    return km, kc


def stop(km, kc):
    kc.stop_channels()
    if km.is_alive():
        km.shutdown_kernel(now=True)


class KernelCase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.km, cls.kc = start()

    @classmethod
    def tearDownClass(cls):
        stop(cls.km, cls.kc)

    def drain_iopub(self):
        while True:
            try:
                self.kc.get_iopub_msg(timeout=0.2)
            except Empty:
                return

    def collect(self, msg_id, timeout=TIMEOUT):
        """IOPub messages parented to msg_id, up to and including its idle."""
        out = []
        deadline = time.time() + timeout
        while time.time() < deadline:
            msg = self.kc.get_iopub_msg(timeout=timeout)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            out.append(msg)
            if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                return out
        raise AssertionError("no idle for %s" % msg_id)

    def shell_reply(self, msg_id, timeout=TIMEOUT):
        while True:
            reply = self.kc.get_shell_msg(timeout=timeout)
            if reply["parent_header"].get("msg_id") == msg_id:
                return reply

    def run_cell(self, code, **kwargs):
        msg_id = self.kc.execute(code, **kwargs)
        reply = self.shell_reply(msg_id)
        return reply, self.collect(msg_id)

    def value(self, expression):
        reply, _ = self.run_cell("0", silent=True, user_expressions={"v": expression})
        self.assertEqual(reply["content"]["status"], "ok", reply["content"])
        result = reply["content"]["user_expressions"]["v"]
        self.assertEqual(result["status"], "ok", result)
        return result["data"]["text/plain"]

    def send_control(self, msg_type, content=None):
        msg = self.kc.session.msg(msg_type, content or {})
        self.kc.control_channel.send(msg)
        while True:
            reply = self.kc.get_control_msg(timeout=TIMEOUT)
            if reply["parent_header"].get("msg_id") == msg["header"]["msg_id"]:
                return reply


class Interrupts(KernelCase):
    def interrupt_cell(self, code, interrupt):
        self.drain_iopub()
        msg_id = self.kc.execute(code)
        # Wait until the cell is really running (its execute_input is out), then interrupt.
        while True:
            msg = self.kc.get_iopub_msg(timeout=TIMEOUT)
            if msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "execute_input":
                break
        time.sleep(0.3)
        interrupt()
        reply = self.shell_reply(msg_id)
        self.assertEqual(reply["content"]["status"], "error", reply["content"])
        # The kernel is alive and kept its state.
        self.assertEqual(self.value("keep"), "42")

    def by_signal(self):
        self.km.interrupt_kernel()

    def by_message(self):
        reply = self.send_control("interrupt_request")
        self.assertEqual(reply["msg_type"], "interrupt_reply")
        self.assertEqual(reply["content"]["status"], "ok")

    def test_00_state(self):
        self.run_cell("var keep = 42")

    def test_busy_loop_by_signal(self):
        self.interrupt_cell("while (true) {}", self.by_signal)

    def test_busy_loop_by_control_message(self):
        self.interrupt_cell("while (true) {}", self.by_message)

    def test_await_by_signal(self):
        self.interrupt_cell("await new Promise(() => {})", self.by_signal)

    def test_await_by_control_message(self):
        self.interrupt_cell("await new Promise(() => {})", self.by_message)

    def test_sigint_between_cells_reaches_a_cells_listener(self):
        # The SIGINT watchdog worker claims a signal no running cell claims; the kernel emits it on
        # `process`, so a listener a cell added runs, and repeated interrupts never kill the kernel.
        self.run_cell("var heard = 0; process.on('SIGINT', () => { heard++; })")
        for count, interrupt in enumerate((self.by_signal, self.by_message, self.by_signal), 1):
            interrupt()
            deadline = time.time() + TIMEOUT
            while self.value("heard") != str(count) and time.time() < deadline:
                time.sleep(0.05)
        self.assertEqual(self.value("heard"), "3")
        self.assertEqual(self.value("keep"), "42")
        # Even with every SIGINT listener removed (the kernel's own too), an interrupt still
        # stops an awaiting cell.
        self.run_cell("process.removeAllListeners('SIGINT')")
        self.interrupt_cell("await new Promise(() => {})", self.by_signal)

    def test_heartbeat_answers_while_a_cell_blocks(self):
        msg_id = self.kc.execute("const until = Date.now() + 1500; while (Date.now() < until) {}")
        time.sleep(0.3)
        self.assertTrue(self.kc.hb_channel.is_beating())
        ctx = zmq.Context.instance()
        hb = ctx.socket(zmq.REQ)
        hb.linger = 0
        hb.connect("%s://%s:%d" % (self.km.transport, self.km.ip, self.km.hb_port))
        hb.send(b"ping")
        self.assertEqual(hb.poll(1000), zmq.POLLIN, "heartbeat did not answer while the loop was blocked")
        self.assertEqual(hb.recv(), b"ping")
        hb.close()
        self.shell_reply(msg_id)


class Wire(KernelCase):
    def raw_socket(self, port):
        ctx = zmq.Context.instance()
        sock = ctx.socket(zmq.DEALER)
        sock.linger = 0
        sock.connect("%s://%s:%d" % (self.km.transport, self.km.ip, port))
        return sock

    def test_bad_signature_is_dropped(self):
        sock = self.raw_socket(self.km.shell_port)
        wrong = Session(key=b"not-the-key", signature_scheme="hmac-sha256")
        wrong.send(sock, "execute_request", {"code": "globalThis.pwned = 1", "silent": False})
        unsigned = Session(key=b"")
        unsigned.send(sock, "execute_request", {"code": "globalThis.pwned = 2", "silent": False})
        self.assertEqual(sock.poll(500), 0, "the kernel answered a badly signed message")
        sock.close()
        self.assertEqual(self.value("typeof pwned"), "'undefined'")

    def test_malformed_frames_are_survived(self):
        for port in (self.km.shell_port, self.km.control_port):
            sock = self.raw_socket(port)
            sock.send_multipart([b"garbage"])
            sock.send_multipart([b"<IDS|MSG>", b"sig"])
            sock.send_multipart([b"<IDS|MSG>", b"", b"{not json", b"{}", b"{}", b"{}"])
            sock.send_multipart([b"<IDS|MSG>", b"x" * 64] + [b"\xff\xfe"] * 4)
            time.sleep(0.2)
            sock.close()
        reply = self.kc.kernel_info(reply=True, timeout=TIMEOUT)
        self.assertEqual(reply["content"]["status"], "ok")
        self.assertTrue(self.km.is_alive())

    def test_unknown_message_type_is_survived(self):
        msg = self.kc.session.msg("frobnicate_request", {})
        self.kc.shell_channel.send(msg)
        reply = self.kc.kernel_info(reply=True, timeout=TIMEOUT)
        self.assertEqual(reply["content"]["status"], "ok")

    def test_comm_info_and_unknown_comm_target(self):
        msg_id = self.kc.comm_info()
        reply = self.shell_reply(msg_id)
        self.assertEqual(reply["msg_type"], "comm_info_reply")
        self.assertEqual(reply["content"], {"status": "ok", "comms": {}})
        self.drain_iopub()
        open_msg = self.kc.session.msg("comm_open", {"comm_id": "c-1", "target_name": "nobody", "data": {}})
        self.kc.shell_channel.send(open_msg)
        msgs = self.collect(open_msg["header"]["msg_id"])
        self.assertIn("comm_close", [m["msg_type"] for m in msgs])


class Execution(KernelCase):
    def test_late_output_goes_to_the_cell_that_started_it(self):
        self.drain_iopub()
        first = self.kc.execute('setTimeout(() => console.log("late-from-first"), 300); "first"')
        second = self.kc.execute('await new Promise((r) => setTimeout(r, 800)); "second"')
        self.shell_reply(first)
        streams = []
        deadline = time.time() + TIMEOUT
        while time.time() < deadline:
            msg = self.kc.get_iopub_msg(timeout=TIMEOUT)
            if msg["msg_type"] == "stream":
                streams.append(msg)
            if msg["parent_header"].get("msg_id") == second and msg["msg_type"] == "status" \
                    and msg["content"]["execution_state"] == "idle":
                break
        late = [m for m in streams if "late-from-first" in m["content"]["text"]]
        self.assertEqual(len(late), 1, streams)
        self.assertEqual(late[0]["parent_header"]["msg_id"], first)

    def test_input_request_round_trip(self):
        self.drain_iopub()
        msg_id = self.kc.execute('const answer = await input("Your name? "); `hello ${answer}`', allow_stdin=True)
        req = self.kc.get_stdin_msg(timeout=TIMEOUT)
        self.assertEqual(req["msg_type"], "input_request")
        self.assertEqual(req["content"]["prompt"], "Your name? ")
        self.assertEqual(req["parent_header"]["msg_id"], msg_id)
        self.kc.input("Ada")
        reply = self.shell_reply(msg_id)
        self.assertEqual(reply["content"]["status"], "ok")
        results = [m for m in self.collect(msg_id) if m["msg_type"] == "execute_result"]
        self.assertEqual(results[0]["content"]["data"]["text/plain"], "'hello Ada'")

    def test_input_without_allow_stdin_fails_clearly(self):
        reply, _ = self.run_cell('await input("x")', allow_stdin=False)
        self.assertEqual(reply["content"]["status"], "error")
        self.assertIn("allow_stdin", reply["content"]["evalue"])

    def test_stop_on_error_aborts_queued_requests(self):
        self.drain_iopub()
        failing = self.kc.execute('await new Promise((r) => setTimeout(r, 200)); throw new Error("first")')
        queued = [self.kc.execute("globalThis.ranAfterError = true") for _ in range(2)]
        self.assertEqual(self.shell_reply(failing)["content"]["status"], "error")
        for msg_id in queued:
            self.assertEqual(self.shell_reply(msg_id)["content"]["status"], "aborted")
        time.sleep(0.1)
        self.assertEqual(self.value("typeof ranAfterError"), "'undefined'")

    def test_stop_on_error_after_a_blocking_cell(self):
        failing = self.kc.execute('const t = Date.now() + 300; while (Date.now() < t) {} throw new Error("sync")')
        queued = self.kc.execute("globalThis.ranAfterSyncError = true")
        self.assertEqual(self.shell_reply(failing)["content"]["status"], "error")
        self.assertEqual(self.shell_reply(queued)["content"]["status"], "aborted")

    def test_stop_on_error_false_runs_queued_requests(self):
        failing = self.kc.execute('throw new Error("x")', stop_on_error=False)
        queued = self.kc.execute("1")
        self.assertEqual(self.shell_reply(failing)["content"]["status"], "error")
        self.assertEqual(self.shell_reply(queued)["content"]["status"], "ok")

    def test_silent_and_user_expressions(self):
        before, _ = self.run_cell("1")
        count = before["content"]["execution_count"]
        reply, msgs = self.run_cell('console.log("hidden"); globalThis.sv = 5; sv * 2', silent=True,
                                    user_expressions={"double": "sv * 2", "oops": "missingName.x"})
        self.assertEqual([m["msg_type"] for m in msgs], ["status", "status"])
        self.assertEqual(reply["content"]["execution_count"], count)
        exprs = reply["content"]["user_expressions"]
        self.assertEqual(exprs["double"]["status"], "ok")
        self.assertEqual(exprs["double"]["data"]["text/plain"], "10")
        self.assertEqual(exprs["oops"]["status"], "error")
        self.assertEqual(exprs["oops"]["ename"], "ReferenceError")
        after, _ = self.run_cell("2")
        self.assertEqual(after["content"]["execution_count"], count + 1)

    def test_store_history_false_does_not_count(self):
        before, _ = self.run_cell("1")
        reply, _ = self.run_cell("2", store_history=False)
        self.assertEqual(reply["content"]["execution_count"], before["content"]["execution_count"])

    def test_unhandled_rejection_is_reported_on_the_cell(self):
        reply, msgs = self.run_cell('Promise.reject(new Error("nobody catches me")); 1')
        self.assertEqual(reply["content"]["status"], "ok")
        stderr = "".join(m["content"]["text"] for m in msgs
                         if m["msg_type"] == "stream" and m["content"]["name"] == "stderr")
        self.assertIn("nobody catches me", stderr)

    def test_crashing_cells_do_not_kill_the_kernel(self):
        for code in ['process.exit(3)', 'Promise.reject(new Error("nobody catches me")); 1',
                     'setTimeout(() => { throw new Error("timer boom") }, 10); 1']:
            self.run_cell(code)
        time.sleep(0.3)
        self.assertTrue(self.km.is_alive())
        self.assertEqual(self.value("1 + 1"), "2")

    def test_tslab_display_api(self):
        code = "\n".join([
            'import * as tslab from "tslab";',
            'tslab.display.html("<b>bold</b>");',
            'tslab.display.markdown("**md**");',
            'tslab.display.text("plain");',
            'const d = tslab.newDisplay(); d.html("<i>v1</i>"); d.html("<i>v2</i>");',
        ])
        reply, msgs = self.run_cell(code)
        self.assertEqual(reply["content"]["status"], "ok", reply["content"])
        displays = [m for m in msgs if m["msg_type"] in ("display_data", "update_display_data")]
        mimes = [list(m["content"]["data"]) for m in displays]
        self.assertIn(["text/html"], mimes)
        self.assertIn(["text/markdown"], mimes)
        self.assertIn(["text/plain"], mimes)
        ids = [m["content"].get("transient", {}).get("display_id") for m in displays]
        self.assertTrue(any(ids), "newDisplay() did not use a display_id")


class Concurrency(KernelCase):
    def test_requests_are_answered_while_an_async_cell_runs(self):
        # Warm the language service first: its cold start (loading the compiler) is not the point.
        self.shell_reply(self.kc.complete("Math.fl", 7))
        self.shell_reply(self.kc.inspect("Math.max", 8))
        slow = self.kc.execute("await new Promise((r) => setTimeout(r, 1500)); 'done'")
        time.sleep(0.2)
        order = []
        ids = {
            self.kc.kernel_info(): "kernel_info",
            self.kc.complete("Math.fl", 7): "complete",
            self.kc.inspect("Math.max", 8): "inspect",
            self.kc.is_complete("if (x) {"): "is_complete",
            self.kc.history(hist_access_type="tail", n=1): "history",
            self.kc.comm_info(): "comm_info",
        }
        ids[slow] = "slow execute"
        while len(order) < len(ids):
            reply = self.kc.get_shell_msg(timeout=TIMEOUT)
            name = ids.get(reply["parent_header"].get("msg_id"))
            if name:
                order.append(name)
        self.assertEqual(order[-1], "slow execute", order)

    def test_control_requests_are_answered_after_a_blocking_cell(self):
        msg_id = self.kc.execute("const stop = Date.now() + 500; while (Date.now() < stop) {}")
        time.sleep(0.1)
        reply = self.send_control("kernel_info_request")
        self.assertEqual(reply["msg_type"], "kernel_info_reply")
        self.assertEqual(self.shell_reply(msg_id)["content"]["status"], "ok")


class Lifecycle(unittest.TestCase):
    def test_ipc_transport(self):
        km = KernelManager(kernel_name=KERNEL, transport="ipc")
        km.ip = os.path.join(os.environ.get("JUPYTER_RUNTIME_DIR", "/tmp"), "ak-ipc-%s" % uuid.uuid4().hex[:6])
        km.start_kernel()
        kc = km.client()
        kc.start_channels()
        try:
            kc.wait_for_ready(timeout=TIMEOUT)
            reply = kc.execute_interactive("6 * 7", timeout=TIMEOUT, output_hook=lambda msg: None)
            self.assertEqual(reply["content"]["status"], "ok")
            self.assertTrue(kc.hb_channel.is_beating())
        finally:
            stop(km, kc)

    def test_history_survives_restart_and_shutdown_echoes_restart(self):
        km, kc = start()
        marker = "const restartMarker_%s = 1" % uuid.uuid4().hex[:8]
        msg_id = kc.execute(marker)
        kc.get_shell_msg(timeout=TIMEOUT)
        msg = kc.session.msg("shutdown_request", {"restart": True})
        kc.control_channel.send(msg)
        reply = kc.get_control_msg(timeout=TIMEOUT)
        self.assertEqual(reply["msg_type"], "shutdown_reply")
        self.assertEqual(reply["content"], {"status": "ok", "restart": True})
        deadline = time.time() + 10
        while km.is_alive() and time.time() < deadline:
            time.sleep(0.05)
        self.assertFalse(km.is_alive(), "kernel did not exit after shutdown_request")
        self.assertEqual(km.provisioner.process.poll(), 0)
        kc.stop_channels()
        km.cleanup_resources()

        km2, kc2 = start()
        try:
            msg_id = kc2.history(hist_access_type="search", pattern=marker, output=False, raw=True)
            reply = kc2.get_shell_msg(timeout=TIMEOUT)
            while reply["parent_header"].get("msg_id") != msg_id:
                reply = kc2.get_shell_msg(timeout=TIMEOUT)
            history = reply["content"]["history"]
            self.assertEqual([h[2] for h in history], [marker])
            msg_id = kc2.history(hist_access_type="tail", n=1, output=False, raw=True)
            reply = kc2.get_shell_msg(timeout=TIMEOUT)
            self.assertGreater(history[0][0], 0)
        finally:
            stop(km2, kc2)


if __name__ == "__main__":
    unittest.main(verbosity=2)
