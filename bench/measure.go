package main

import (
	"bufio"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// procStatus returns the memory lines of /proc/self/status in MB: VmHWM
// (peak resident set), VmRSS, RssAnon and RssFile.
func procStatus() map[string]float64 { return readStatus("/proc/self/status") }

// procStatusOf is procStatus of the process pid.
func procStatusOf(pid int) map[string]float64 {
	return readStatus("/proc/" + strconv.Itoa(pid) + "/status")
}

func readStatus(path string) map[string]float64 {
	out := map[string]float64{}
	f, err := os.Open(path)
	if err != nil {
		return out
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, rest, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		switch name {
		case "VmHWM", "VmRSS", "RssAnon", "RssFile":
			fields := strings.Fields(rest)
			if len(fields) == 2 && fields[1] == "kB" {
				kb, _ := strconv.ParseFloat(fields[0], 64)
				out[name] = kb / 1024
			}
		}
	}
	return out
}

// dirSize is the total apparent size in bytes of the files under dir.
func dirSize(dir string) (int64, error) {
	var total int64
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err == nil {
			total += info.Size()
		}
		return err
	})
	return total, err
}

// evictFromPageCache asks the kernel to drop the cached pages of every file
// under dir, so that the next process to open them reads from disk: a cold
// start. Dirty pages cannot be dropped; both engines sync before closing.
func evictFromPageCache(dir string) error {
	return filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		return unix.Fadvise(int(f.Fd()), 0, 0, unix.FADV_DONTNEED)
	})
}

// latency summarises one pass of query latencies, in milliseconds.
type latency struct {
	P50 float64 `json:"p50_ms"`
	P95 float64 `json:"p95_ms"`
	P99 float64 `json:"p99_ms"`
	Max float64 `json:"max_ms"`
}

// summarize returns the percentiles of ms (nearest rank).
func summarize(ms []float64) latency {
	s := slices.Clone(ms)
	slices.Sort(s)
	if len(s) == 0 {
		return latency{}
	}
	at := func(p float64) float64 {
		i := int(p*float64(len(s))+0.999999) - 1
		return s[max(0, min(i, len(s)-1))]
	}
	return latency{P50: at(0.50), P95: at(0.95), P99: at(0.99), Max: s[len(s)-1]}
}

// median of xs (the mean of the two middle values for an even count).
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if n := len(s); n%2 == 1 {
		return s[n/2]
	} else {
		return (s[n/2-1] + s[n/2]) / 2
	}
}
