"""The stock jupyter_kernel_test suite against the installed agentkernel, every check enabled.

Run by tests/integration/kernel-conformance.test.ts with /usr/bin/python3 and JUPYTER_PATH
pointing at a temporary prefix the kernel was installed into.
"""
import unittest

import jupyter_kernel_test


class AgentkernelConformance(jupyter_kernel_test.KernelTests):
    kernel_name = "agentkernel"
    language_name = "typescript"
    file_extension = ".ts"

    code_hello_world = 'console.log("hello, world")'
    code_stderr = 'console.error("oops")'

    completion_samples = [
        {"text": "Math.flo", "matches": {"floor"}},
        {"text": "const zebraCount = 3; zebraC", "matches": {"zebraCount"}},
    ]
    complete_code_samples = ["1 + 1", "const x = 1;", "function f() { return 1; }", "class A {}"]
    incomplete_code_samples = ["function f() {", "const o = {", "if (true) {", "[1, 2,"]
    invalid_code_samples = ["const = 1;", "1 +* 2", "}"]

    code_page_something = "Math.max?"  # IPython's help syntax, answered with a pager payload

    code_generate_error = 'throw new Error("boom")'

    code_execute_result = [
        {"code": "1 + 2", "result": "3"},
        {"code": "'a' + 'b'", "result": "'ab'"},
        {"code": "[1, 2, 3].map((x) => x * 2)", "result": "[ 2, 4, 6 ]"},
    ]

    code_display_data = [
        {"code": 'display.html("<b>hi</b>")', "mime": "text/html"},
        {"code": 'display.markdown("# title")', "mime": "text/markdown"},
        {
            "code": 'import * as tslab from "tslab"; tslab.display.png(new Uint8Array([137, 80, 78, 71]))',
            "mime": "image/png",
        },
    ]

    code_history_pattern = "1 + *"
    supported_history_operations = ("tail", "range", "search")

    code_inspect_sample = "Math.max"

    code_clear_output = "clear_output()"


if __name__ == "__main__":
    unittest.main(verbosity=2)
