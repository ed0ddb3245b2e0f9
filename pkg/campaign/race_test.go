//go:build race

package campaign

// wallSlack multiplies the wall-time bounds of the bomb tests: the race
// detector slows template execution several-fold, and the bounds that stop
// a bomb are in steps and CPU time, not in wall time.
const wallSlack = 3
