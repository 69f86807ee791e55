//go:build race

package loadtest

// raceEnabled: the race detector slows everything down tenfold, so the
// test ingests fewer articles by default; its timings then mean little.
const raceEnabled = true
