# Runs inside the sandbox, started with: python3 -I -S -c <this file>. Reads {nonce, code, calls} from stdin,
# executes code as the module "solution", evaluates each call in its namespace and reports repr(value).
# Reports are lines on stdout framed by the per-run nonce: "\n<nonce> <json>\n". Expected values never enter the
# sandbox, so the service, not this script, decides what passed: a forged report can claim nothing that returning
# that value could not.
import json, os, sys, types

MAX_ACTUAL = 2048
MAX_ERROR = 1000


def describe(error):
    text = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    return text[:MAX_ERROR]


def main():
    payload = json.loads(sys.stdin.buffer.read().decode("utf-8"))
    nonce = payload["nonce"].encode("ascii")
    code, calls = payload["code"], payload["calls"]
    del payload
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)

    def report(record):
        for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
            try:
                stream.flush()
            except Exception:
                pass
        data = b"\n" + nonce + b" " + json.dumps(record).encode("ascii") + b"\n"
        while data:
            data = data[os.write(1, data):]

    report({"started": True})
    module = types.ModuleType("solution")
    module.__file__ = "/work/solution.py"
    sys.modules["solution"] = module
    try:
        exec(compile(code, "solution.py", "exec"), module.__dict__)
    except BaseException as error:
        report({"module_error": describe(error)})
        return
    for index, call in enumerate(calls):
        try:
            actual = repr(eval(compile(call, "<test>", "eval"), module.__dict__))
        except BaseException as error:
            report({"i": index, "error": describe(error)})
            continue
        if len(actual) > MAX_ACTUAL:
            report({"i": index, "actual": actual[:MAX_ACTUAL], "truncated": True})
        else:
            report({"i": index, "actual": actual})
    report({"done": True})


main()
