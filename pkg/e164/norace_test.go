//go:build !race

package e164

const raceDetector = false
