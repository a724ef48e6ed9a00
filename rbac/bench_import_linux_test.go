package rbac_test

import (
	"syscall"
	"time"
)

// processCPU is the CPU time of the whole test process so far (user and
// system, every thread): what a bulk load costs this process, whatever
// the machine's load. On PostgreSQL the server's work is not in it.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
