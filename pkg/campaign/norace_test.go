//go:build !race

package campaign

const wallSlack = 1
