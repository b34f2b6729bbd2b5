#!/usr/bin/env python3
"""perf-torch.py - the PyTorch and ONNX Runtime rows of docs/performance.md.

    python3 scripts/perf-torch.py MLP.safetensors [REPS]

Times one query at batch 1 (copy the input from host memory to the GPU, run
the 4-layer network written by scripts/perf-gpu, copy the output back,
synchronise) the way weft's batch-1 figure is timed, for: PyTorch eager,
PyTorch with a CUDA graph, and ONNX Runtime's CUDA execution provider. Same
weights, fp32. Prints markdown rows; a missing package skips its rows with
a note instead of failing; only table rows go to stdout (the exporter's
chatter goes to stderr). Run by scripts/gpu-check (and scripts/perf-gpu).
"""
import contextlib
import statistics
import sys
import tempfile
import time


def p50(fn, reps, warm):
    for _ in range(warm):
        fn()
    t = []
    for _ in range(reps):
        t0 = time.perf_counter_ns()
        fn()
        t.append(time.perf_counter_ns() - t0)
    return statistics.median(t) / 1e3  # microseconds


def main():
    path = sys.argv[1]
    reps = int(sys.argv[2]) if len(sys.argv) > 2 else 20000
    try:
        import torch
        from safetensors.torch import load_file
    except ImportError as e:
        print("| PyTorch | skipped: %s |" % e)
        return 0
    if not torch.cuda.is_available():
        print("| PyTorch | skipped: no CUDA device |")
        return 0
    sd = load_file(path)
    layers = []
    for i in range(4):
        lin = torch.nn.Linear(512, 512)
        lin.weight.data.copy_(sd["mlp.%d.weight" % i])
        lin.bias.data.copy_(sd["mlp.%d.bias" % i])
        layers.append(lin)
        if i < 3:
            layers.append(torch.nn.ReLU())
    net = torch.nn.Sequential(*layers).cuda().eval()
    torch.backends.cuda.matmul.allow_tf32 = False
    x = torch.randn(1, 512).pin_memory()
    out = torch.empty(1, 512).pin_memory()

    with torch.inference_mode():
        def eager():
            out.copy_(net(x.cuda(non_blocking=True)), non_blocking=True)
            torch.cuda.synchronize()
        print("| PyTorch %s eager | %.1f us |" % (torch.__version__, p50(eager, reps, 2000)))

        static_in = torch.zeros(1, 512, device="cuda")
        s = torch.cuda.Stream()
        s.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(s):
            for _ in range(10):
                net(static_in)
        torch.cuda.current_stream().wait_stream(s)
        g = torch.cuda.CUDAGraph()
        with torch.cuda.graph(g):
            static_out = net(static_in)

        def graphed():
            static_in.copy_(x, non_blocking=True)
            g.replay()
            out.copy_(static_out, non_blocking=True)
            torch.cuda.synchronize()
        print("| PyTorch %s CUDA graph | %.1f us |" % (torch.__version__, p50(graphed, reps, 2000)))

    try:
        import onnxruntime as ort
    except ImportError as e:
        print("| ONNX Runtime | skipped: %s |" % e)
        return 0
    # the provider first: exporting costs seconds and is useless without it
    if "CUDAExecutionProvider" not in ort.get_available_providers():
        print("| ONNX Runtime %s | skipped: no CUDA execution provider (has %s) |"
              % (ort.__version__, ", ".join(ort.get_available_providers())))
        return 0
    with tempfile.NamedTemporaryFile(suffix=".onnx") as f:
        # whatever the exporter prints goes to stderr, not into the table
        try:
            with contextlib.redirect_stdout(sys.stderr):
                torch.onnx.export(net.cpu(), torch.zeros(1, 512), f.name, input_names=["x"],
                                  output_names=["y"])
        except Exception as e:  # the exporter's failures are many and varied
            print("| ONNX Runtime %s | skipped: export failed: %s |"
                  % (ort.__version__, str(e).splitlines()[0] if str(e) else type(e).__name__))
            return 0
        sess = ort.InferenceSession(f.name, providers=["CUDAExecutionProvider"])
        if "CUDAExecutionProvider" not in sess.get_providers():
            print("| ONNX Runtime | skipped: the session did not take the CUDA execution provider |")
            return 0
        xn = x.numpy()
        print("| ONNX Runtime %s CUDA EP | %.1f us |"
              % (ort.__version__, p50(lambda: sess.run(None, {"x": xn}), reps, 2000)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
