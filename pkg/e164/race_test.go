//go:build race

package e164

// raceDetector cuts the sample counts of single-goroutine property tests,
// which the race detector slows thirty-fold and has nothing to find in.
const raceDetector = true
