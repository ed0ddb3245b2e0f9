// Package e2e holds faxjam's end-to-end tests: they build the faxjam binary
// once per test run and drive it as an organizer would, against real
// loopback services held by the test process — a simulated fax network
// behind the webhook relay protocol (dispatch/linesim's HTTP front), the
// petition server (in-process or as `faxjam petition serve`), SQLite files
// on disk — killing and restarting it to check that nothing is sent twice
// and nobody is lost.
//
// The package has no code besides its tests and nothing in the product
// imports it. Every run gets its own HOME and XDG_* directories, so nothing
// touches the user's config or data.
//
//	go test ./pkg/e2e/                         the end-to-end tests
//	FAXJAM_E2E_SEED=N go test ./pkg/e2e/       replay the kill instants of a failed run
//	FAXJAM_SCALE=1 go test -run Scale -v ./pkg/e2e/   the 100,000-signer dry run (BENCHMARKS.md)
package e2e
