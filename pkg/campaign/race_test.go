//go:build race

package campaign

// wallSlack multiplies the wall-time bounds of the bomb tests: the race
// detector slows template execution several-fold, and the bounds that stop
// a bomb are in steps, output and a 500 ms wall-clock backstop.
const wallSlack = 3
