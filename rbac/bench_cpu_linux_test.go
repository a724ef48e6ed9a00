package rbac_test

import (
	"runtime"
	"syscall"
	"testing"
	"time"
)

// cpuMetric reports, beside ns/op (wall time), the CPU time the benchmark's
// own thread spent per operation ("cpu-ns/op"): on a machine shared with
// other jobs, wall time also counts the time the thread waited for a core.
// Background garbage collection on other threads is not counted. Use as
// defer cpuMetric(b)() before the timed loop.
func cpuMetric(b *testing.B) func() {
	runtime.LockOSThread()
	start := threadCPU()
	return func() {
		used := threadCPU() - start
		runtime.UnlockOSThread()
		if b.N > 0 {
			b.ReportMetric(float64(used.Nanoseconds())/float64(b.N), "cpu-ns/op")
		}
	}
}

func threadCPU() time.Duration {
	var ru syscall.Rusage
	const rusageThread = 1 // RUSAGE_THREAD
	if err := syscall.Getrusage(rusageThread, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
