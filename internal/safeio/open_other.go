//go:build !unix

package safeio

const oNonblock = 0

// oNofollow makes open(2) fail on a symbolic link.
const oNofollow = 0
