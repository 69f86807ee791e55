package storage

import (
	"slices"
	"testing"
	"time"

	"github.com/baobot/baobot/retrieval"
)

func ids(infos []ArticleInfo) []string {
	out := make([]string, len(infos))
	for i, info := range infos {
		out[i] = info.ID
	}
	return out
}

// listTest stores three batches and returns the IDs newest first.
func listTest(t *testing.T) (*DB, []string) {
	t.Helper()
	db := openTest(t, wordAnalyzer)
	var added []string
	for _, batch := range [][]retrieval.Article{corpus(1, 3, "a"), corpus(2, 4, "b"), corpus(3, 2, "c")} {
		put(t, db, batch...)
		for _, a := range batch {
			added = append(added, a.ID)
		}
	}
	slices.Reverse(added)
	return db, added
}

func TestList(t *testing.T) {
	db, newestFirst := listTest(t)
	n := len(newestFirst)
	tests := []struct {
		offset, limit int
		want          []string
	}{
		{0, 0, newestFirst},
		{0, -1, newestFirst},
		{0, 3, newestFirst[:3]},
		{2, 3, newestFirst[2:5]},
		{n - 2, 10, newestFirst[n-2:]},
		{n, 5, nil},
		{n + 5, 5, nil},
		{-3, 2, newestFirst[:2]},
	}
	for _, tt := range tests {
		infos, total, err := db.List(tt.offset, tt.limit)
		if err != nil {
			t.Fatal(err)
		}
		if total != n {
			t.Errorf("List(%d, %d): total %d, want %d", tt.offset, tt.limit, total, n)
		}
		if got := ids(infos); !slices.Equal(got, tt.want) {
			t.Errorf("List(%d, %d) = %v, want %v", tt.offset, tt.limit, got, tt.want)
		}
	}

	// Ingest times strictly decrease down the list.
	infos, _, _ := db.List(0, 0)
	for i := 1; i < len(infos); i++ {
		if !infos[i].AddedAt.Before(infos[i-1].AddedAt) {
			t.Errorf("AddedAt of %s (%v) not before %s's (%v)", infos[i].ID, infos[i].AddedAt, infos[i-1].ID, infos[i-1].AddedAt)
		}
	}

	// A replacement keeps its place; a removal leaves the list.
	replaced := corpus(2, 4, "b")[1]
	replaced.Body += "\nmore"
	put(t, db, replaced)
	if err := db.Remove(newestFirst[0]); err != nil {
		t.Fatal(err)
	}
	infos, total, _ := db.List(0, 0)
	if want := newestFirst[1:]; !slices.Equal(ids(infos), want) || total != len(want) {
		t.Errorf("after replace and remove: %v (%d), want %v", ids(infos), total, want)
	}
}

func TestAddedSince(t *testing.T) {
	db, newestFirst := listTest(t)
	infos, _, err := db.List(0, 0)
	if err != nil {
		t.Fatal(err)
	}
	// Resuming after each article gives exactly the ones added later.
	for i, info := range infos {
		got, total, err := db.AddedSince(info.AddedAt, 0)
		if err != nil {
			t.Fatal(err)
		}
		if want := newestFirst[:i]; !slices.Equal(ids(got), want) || total != i {
			t.Errorf("AddedSince(%s) = %v (%d), want %v", info.ID, ids(got), total, want)
		}
		if i > 1 {
			got, total, _ := db.AddedSince(info.AddedAt, 1)
			if !slices.Equal(ids(got), newestFirst[:1]) || total != i {
				t.Errorf("AddedSince(%s, 1) = %v (%d), want %v (%d)", info.ID, ids(got), total, newestFirst[:1], i)
			}
		}
	}
	tests := []struct {
		name string
		t    time.Time
		want []string
	}{
		{"zero time", time.Time{}, newestFirst},
		{"before 1970", time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC), newestFirst},
		{"just before the first", infos[len(infos)-1].AddedAt.Add(-time.Nanosecond), newestFirst},
		{"far future", time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC), nil},
	}
	for _, tt := range tests {
		got, total, err := db.AddedSince(tt.t, 0)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(ids(got), tt.want) || total != len(tt.want) {
			t.Errorf("%s: %v (%d), want %v", tt.name, ids(got), total, tt.want)
		}
	}
}

// Ingest times never go backwards, whatever the clock does.
func TestNextAddedAt(t *testing.T) {
	w := &writer{meta: meta{lastAdded: 100}}
	for _, tt := range []struct{ now, want int64 }{{50, 101}, {50, 102}, {200, 200}, {200, 201}, {300, 300}} {
		if got := w.nextAddedAt(tt.now); got != tt.want {
			t.Errorf("nextAddedAt(%d) = %d, want %d", tt.now, got, tt.want)
		}
	}
}
