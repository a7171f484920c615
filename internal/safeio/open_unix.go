//go:build unix

package safeio

import "syscall"

// oNonblock keeps open(2) of a FIFO from waiting for a writer.
const oNonblock = syscall.O_NONBLOCK

// oNofollow makes open(2) fail on a symbolic link.
const oNofollow = syscall.O_NOFOLLOW
