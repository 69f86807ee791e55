// Command baobot answers questions about news articles by quoting them, from
// the terminal or, with a token, on Discord. See README.md.
package main

import (
	"os"

	"github.com/mattn/go-isatty"

	"github.com/baobot/baobot/cli"
)

func main() {
	os.Exit(cli.Run(os.Args[1:], cli.Env{
		Stdout:   os.Stdout,
		Stderr:   os.Stderr,
		Terminal: isatty.IsTerminal(os.Stderr.Fd()),
	}))
}
