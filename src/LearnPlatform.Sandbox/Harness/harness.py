# Runs inside the sandbox as: python3 -I -S -c <this file>. Only built-in modules (nothing to load from disk), so
# it adds almost nothing to the interpreter's start. Reads from stdin a nonce line, then the code and each call as
# hex-encoded UTF-8 lines. Executes the code as the module "solution", evaluates each call in its namespace and
# reports repr(value). Reports are lines on stdout framed by the per-run nonce: "\n<nonce> <kind> <index> <hex>\n".
# Expected values never enter the sandbox, so the service, not this script, decides what passed: a forged report
# can claim nothing that returning that value could not.
import posix
import sys

MAX_ACTUAL = 2048
MAX_ERROR = 1000


def describe(error):
    try:
        text = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    except BaseException:
        text = type(error).__name__
    return text[:MAX_ERROR]


def main():
    # Started ahead of its request: say so, then wait for the input (the service hands it over with the request).
    posix.write(1, b"learnplatform-sandbox-ready\n")
    lines = sys.stdin.buffer.read().split(b"\n")
    if len(lines) < 2:
        return  # the service went away before handing a program over
    nonce = lines[0]
    code = bytes.fromhex(lines[1].decode("ascii")).decode("utf-8")
    calls = [bytes.fromhex(line.decode("ascii")).decode("utf-8") for line in lines[2:] if line]
    del lines
    null = posix.open("/dev/null", posix.O_RDONLY)
    posix.dup2(null, 0)
    posix.close(null)

    def report(kind, index=-1, text=""):
        for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
            try:
                stream.flush()
            except BaseException:
                pass
        data = b"\n%s %s %d %s\n" % (nonce, kind, index, text.encode("utf-8", "backslashreplace").hex().encode("ascii"))
        while data:
            data = data[posix.write(1, data):]

    report(b"started")
    module = type(sys)("solution")
    module.__file__ = "/work/solution.py"
    sys.modules["solution"] = module
    try:
        exec(compile(code, "solution.py", "exec"), module.__dict__)
    except BaseException as error:
        report(b"module_error", -1, describe(error))
        return
    for index, call in enumerate(calls):
        try:
            actual = repr(eval(compile(call, "<test>", "eval"), module.__dict__))
        except BaseException as error:
            report(b"error", index, describe(error))
            continue
        if len(actual) > MAX_ACTUAL:
            report(b"truncated", index, actual[:MAX_ACTUAL])
        else:
            report(b"value", index, actual)
    report(b"done")


main()
# Everything is reported (and flushed): end now. Skipping the interpreter's teardown saves most of the time between
# the last report and the run's end, and nothing the program left behind (threads, atexit handlers) runs on.
posix._exit(0)
