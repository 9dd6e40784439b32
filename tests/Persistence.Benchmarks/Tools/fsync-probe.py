#!/usr/bin/env python3
"""What this disk allows for durable appends, outside any database (Linux only).

1. Parallel syncs: threads that each pwrite 200 bytes and fdatasync, all into one file or each into its own,
   counting syncs per second. Tells whether a log striped over several files could sync more often than one.
2. One writer, four ways of making an append durable: pwrite + fdatasync, O_DSYNC (700 bytes each), and
   O_DIRECT|O_DSYNC, O_DIRECT + fdatasync (one aligned 4 KiB block each, as O_DIRECT requires), with p50 and p99.

Usage: python3 tests/Persistence.Benchmarks/Tools/fsync-probe.py [DIRECTORY] [SECONDS]
(default: a new folder under /tmp, 3 seconds per case). The files are preallocated with zeros and synced first, as
the engine's log segments are, and deleted at the end.
"""
import mmap
import os
import shutil
import sys
import tempfile
import threading
import time

FILE_BYTES = 64 << 20
SPAN = 60 << 20


def preallocated(path):
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_TRUNC)
    os.write(fd, b"\0" * FILE_BYTES)
    os.fsync(fd)
    return fd


def parallel_syncs(directory, threads, shared, seconds):
    fds = [preallocated(os.path.join(directory, f"p{i}")) for i in range(1 if shared else threads)]
    lock = threading.Lock()
    next_offset = [0]
    total = [0]
    stop = time.monotonic() + seconds

    def writer(index):
        fd = fds[0 if shared else index]
        offset = 0
        done = 0
        while time.monotonic() < stop:
            if shared:
                with lock:
                    offset = next_offset[0]
                    next_offset[0] += 4096
            else:
                offset += 4096
            os.pwrite(fd, b"x" * 200, offset % SPAN)
            os.fdatasync(fd)
            done += 1
        with lock:
            total[0] += done

    workers = [threading.Thread(target=writer, args=(i,)) for i in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    for fd in fds:
        os.close(fd)
    where = "one shared file" if shared else "a file each"
    print(f"{threads} thread(s), {where:15s} {total[0] / seconds:9.0f} syncs/s")


def single_writer(directory, name, flags, sync, direct, seconds):
    path = os.path.join(directory, "single")
    os.close(preallocated(path))
    fd = os.open(path, os.O_RDWR | flags)
    block = mmap.mmap(-1, 4096)  # page-aligned, as O_DIRECT requires
    block.write(b"x" * 4096)
    latencies = []
    offset = 0
    stop = time.monotonic() + seconds
    while time.monotonic() < stop:
        start = time.perf_counter()
        if direct:
            os.pwritev(fd, [block], offset)
        else:
            os.pwrite(fd, b"x" * 700, offset)
        if sync:
            os.fdatasync(fd)
        latencies.append(time.perf_counter() - start)
        offset = (offset + 4096) % SPAN
    os.close(fd)
    latencies.sort()
    p50 = latencies[len(latencies) // 2] * 1e6
    p99 = latencies[int(len(latencies) * 0.99)] * 1e6
    print(f"{name:24s} {len(latencies) / seconds:9.0f} appends/s  p50 {p50:5.0f} us  p99 {p99:5.0f} us")


def main():
    parent = sys.argv[1] if len(sys.argv) > 1 else None
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 3.0
    directory = tempfile.mkdtemp(prefix="fsync-probe-", dir=parent)
    try:
        print("parallel syncs (pwrite of 200 bytes + fdatasync per sync)")
        for threads in (1, 2, 4, 8):
            parallel_syncs(directory, threads, shared=True, seconds=seconds)
            parallel_syncs(directory, threads, shared=False, seconds=seconds)
        print("one writer: 700-byte appends, or aligned 4 KiB blocks with O_DIRECT")
        single_writer(directory, "pwrite + fdatasync", 0, True, False, seconds)
        single_writer(directory, "O_DSYNC", os.O_DSYNC, False, False, seconds)
        single_writer(directory, "O_DIRECT | O_DSYNC", os.O_DIRECT | os.O_DSYNC, False, True, seconds)
        single_writer(directory, "O_DIRECT + fdatasync", os.O_DIRECT, True, True, seconds)
    finally:
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
