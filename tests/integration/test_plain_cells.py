"""Workflows from plain TypeScript cells in a real kernel over jupyter_client: `await runWorkflow`
shows the %workflow progress display, a run started without await keeps updating the cell that
started it, `runWorkflowSync` shows its progress live WHILE the cell is blocked, and an interrupt
(SIGINT or interrupt_request) cancels a blocked runWorkflowSync, recorded CANCELLED. Run by
plain-cells.test.ts with AK_PROJECT set to a scratch project whose functions/plaincells.ts has
`wait_for_file` (a step that finishes only once the test creates a file): liveness is proven by
cause and effect, never by timing."""
import os
import time
import unittest

from kernel_session import PROJECT, TIMEOUT, LiveKernelTestCase, is_display, shows_step_running, text_plain


def workflow(name, flag, timeout_ms=30000):
    return (
        "`schema_version: v1\\n"
        "workflow: {id: %s, version: v1}\\n"
        "steps:\\n"
        "  - {id: gate, type: function, function: plaincells.wait_for_file, inputs: {path: %s, timeout_ms: %d}}\\n"
        "  - {id: after, type: tool, tool: tools.echo, inputs: {message: steps.gate.path}}\\n`"
        % (name, flag, timeout_ms)
    )


class PlainCellWorkflows(LiveKernelTestCase):
    def run_cell(self, code, on_message=None, others=None):
        return self.execute_cell(code, on_message, others, stop_on_error=False)

    def flag(self, name):
        return os.path.join(PROJECT, name)

    def release_when_gate_runs(self, flag):
        """on_message that creates `flag` once the progress display shows the gate step running."""
        state = {"released": False}

        def on_message(msg):
            if not state["released"] and shows_step_running(msg, "gate"):
                state["released"] = True
                open(self.flag(flag), "w").close()

        return state, on_message

    def test_await_run_workflow_shows_the_progress_display(self):
        state, on_message = self.release_when_gate_runs("await.flag")
        _, reply, iopub = self.run_cell(
            "const awaited = await runWorkflow(%s);\nawaited.status" % workflow("awaited", "await.flag"),
            on_message,
        )
        self.assertEqual(reply["status"], "ok", reply)
        self.assertTrue(state["released"], "the running step never showed up in the cell")
        first = [m for m in iopub if m["msg_type"] == "display_data"]
        updates = [m for m in iopub if m["msg_type"] == "update_display_data"]
        self.assertEqual(len(first), 1)
        display_id = first[0]["content"]["transient"]["display_id"]
        self.assertTrue(all(m["content"]["transient"]["display_id"] == display_id for m in updates))
        self.assertIn("awaited@v1 · COMPLETED", text_plain(updates[-1]))
        self.assertIn("'COMPLETED'", "".join(text_plain(m) for m in iopub if m["msg_type"] == "execute_result"))

    def test_imported_run_workflow_with_display_false_shows_nothing(self):
        open(self.flag("quiet.flag"), "w").close()
        _, reply, iopub = self.run_cell(
            'import { runWorkflow as run } from "agentkernel";\n'
            "(await run(%s, { display: false })).status" % workflow("quiet", "quiet.flag")
        )
        self.assertEqual(reply["status"], "ok", reply)
        self.assertEqual([m for m in iopub if is_display(m)], [])
        self.assertIn("'COMPLETED'", "".join(text_plain(m) for m in iopub if m["msg_type"] == "execute_result"))

    def test_run_without_await_keeps_updating_the_cell_that_started_it(self):
        started, reply, iopub = self.run_cell(
            "const background = runWorkflow(%s); 'started'" % workflow("background", "background.flag")
        )
        self.assertEqual(reply["status"], "ok", reply)
        self.assertEqual(len([m for m in iopub if m["msg_type"] == "display_data"]), 1)
        late = []
        # Another cell runs while the run waits; its outputs are its own.
        other, reply, iopub = self.run_cell("40 + 2", others=late)
        self.assertEqual(reply["status"], "ok")
        self.assertEqual([m for m in iopub if is_display(m)], [])
        open(self.flag("background.flag"), "w").close()
        while not any(is_display(m) and "COMPLETED" in text_plain(m) and "background@v1" in text_plain(m) for m in late):
            late.append(self.kc.get_iopub_msg(timeout=TIMEOUT))
        displays = [m for m in late if is_display(m)]
        self.assertTrue(displays)
        self.assertTrue(all(m["parent_header"]["msg_id"] == started for m in displays))
        self.assertTrue(all(m["msg_type"] == "update_display_data" for m in displays))

    def test_run_workflow_sync_progress_is_live_while_the_cell_blocks(self):
        # The gate step finishes only when the test has SEEN it running: if progress were held
        # until the cell unblocked, the file would never appear and the step would time out.
        state, on_message = self.release_when_gate_runs("sync.flag")
        _, reply, iopub = self.run_cell(
            "const synced = runWorkflowSync(%s);\nconsole.log('after the run');\nsynced.status"
            % workflow("synced", "sync.flag", 20000),
            on_message,
        )
        self.assertEqual(reply["status"], "ok", reply)
        self.assertTrue(state["released"])
        updates = [m for m in iopub if m["msg_type"] == "update_display_data"]
        self.assertIn("synced@v1 · COMPLETED", text_plain(updates[-1]))
        self.assertIn("'COMPLETED'", "".join(text_plain(m) for m in iopub if m["msg_type"] == "execute_result"))

    def interrupt_sync_run(self, name, interrupt):
        store = "%s.db" % name
        state = {"sent": False}

        def on_message(msg):
            if not state["sent"] and shows_step_running(msg, "gate"):
                state["sent"] = True
                # As a person would: not within the first milliseconds of the call, which the sync
                # bridge leaves unguarded (runtime/sync/README.md: SIGINT_GUARD_DELAY_MS); a signal
                # there stops the cell but leaves the run unrecorded as CANCELLED.
                time.sleep(0.3)
                interrupt()

        _, reply, _ = self.run_cell(
            "runWorkflowSync(%s, { store: %r })" % (workflow(name, "never.flag", 600000), store),
            on_message,
        )
        self.assertTrue(state["sent"], "the running step never showed up while the cell blocked")
        self.assertEqual(reply["status"], "error")
        self.assertIn("Cancelled", reply["ename"] + reply["evalue"])
        _, runs, iopub = self.run_cell("%%runs --store %s --status CANCELLED" % store)
        self.assertEqual(runs["status"], "ok", runs)
        self.assertIn(name, "".join(text_plain(m) for m in iopub if m["msg_type"] == "execute_result"))
        # The kernel keeps its state and goes on.
        _, after, iopub = self.run_cell("40 + 2")
        self.assertEqual(after["status"], "ok")

    def test_sigint_cancels_a_blocked_run_workflow_sync(self):
        self.interrupt_sync_run("sigint_sync", self.km.interrupt_kernel)

    def test_interrupt_request_cancels_a_blocked_run_workflow_sync(self):
        self.interrupt_sync_run("control_sync", self.send_interrupt_request)

    def test_interrupt_request_cancels_an_awaited_run_workflow(self):
        state = {"sent": False}

        def on_message(msg):
            if not state["sent"] and shows_step_running(msg, "gate"):
                state["sent"] = True
                self.send_interrupt_request()

        _, reply, _ = self.run_cell(
            'import { SqliteRunStore } from "agentkernel";\n'
            "await runWorkflow(%s, { store: new SqliteRunStore('awaited.db') })" % workflow("awaited_stop", "never.flag", 600000),
            on_message,
        )
        self.assertTrue(state["sent"])
        self.assertEqual(reply["status"], "error")
        # The run was cancelled with its cell, not left running in the background.
        runs = ""
        for _ in range(50):
            _, content, iopub = self.run_cell("%runs --store awaited.db --status CANCELLED")
            runs = "".join(text_plain(m) for m in iopub if m["msg_type"] == "execute_result")
            if "awaited_stop" in runs:
                break
            time.sleep(0.1)  # the CANCELLED record is written as the run unwinds, after the cell's reply
        self.assertIn("awaited_stop", runs)

    def test_is_complete_waits_for_the_workflow_body(self):
        for code, status in (("%%workflow --name x", "incomplete"), ("%%workflow\nsteps: []\n\n", "complete"), ("%runs", "complete")):
            self.kc.is_complete(code)
            reply = self.kc.get_shell_msg(timeout=TIMEOUT)
            self.assertEqual(reply["content"]["status"], status, code)


if __name__ == "__main__":
    unittest.main()
