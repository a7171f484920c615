//go:build !unix

package safeio

const oNonblock = 0
