// Package ui owns how faxjam looks on a terminal and what it prints for
// scripts: the IOStreams (which stream is a terminal, how wide it is, whether
// colour is on, answers read line by line), how a question looks, the
// lipgloss Styles built from a renderer bound to the real writer, tables,
// key/value blocks, wrapping, the dispatch progress printer and the
// JSON-lines printer. Styles are values built by a constructor, never
// package-level variables; callers hand in strings and get strings back, so a
// bug in a style can never change what gets faxed. It must not import any
// faxjam package: pkg/cli translates domain values into what ui prints.
package ui
