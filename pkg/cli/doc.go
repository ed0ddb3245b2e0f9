// Package cli owns faxjam's command line: the cobra commands (one file per
// command, each an XxxOptions struct and an xxxRun(ctx, opts) function that
// RunE only fills), flag and config binding (a viper built per run, never the
// global one), prompts, and the one table mapping errors to exit codes. It is
// the only package that prints; it wires campaign, letter, render, gateway,
// petition, journal and dispatch together and holds no logic of theirs.
// Nothing imports it but cmd/faxjam.
package cli
