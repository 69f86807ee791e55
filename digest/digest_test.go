package digest

import (
	"testing"
	"time"

	"github.com/baobot/baobot/retrieval"
)

func TestCollect(t *testing.T) {
	w := newWorld(t, "2026-11-27T00:00:00Z", Options{})
	published := time.Date(2026, 11, 20, 23, 30, 0, 0, time.FixedZone("ICT", 7*3600))
	arts := []retrieval.Article{
		{ID: "x", Title: "Lãi suất", Language: "vi", Published: published,
			Body: "Ảnh: minh họa |\nNgân hàng Nhà nước tăng lãi suất điều hành thêm 0,5 điểm phần trăm. Lãi suất cho vay của các ngân hàng dự kiến tăng theo."},
		{ID: "y", Body: "A short note without a title or a summary."},
	}
	if _, err := w.db.Put(arts); err != nil {
		t.Fatal(err)
	}
	d, err := Collect(w.db, time.Time{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if d.Total != 2 || len(d.Articles) != 2 || d.Articles[0].ID != "y" || !d.Cursor.Equal(d.Articles[0].AddedAt) {
		t.Fatalf("digest %+v", d)
	}
	x, y := d.Articles[1], d.Articles[0]
	if x.Lead != "Ngân hàng Nhà nước tăng lãi suất điều hành thêm 0,5 điểm phần trăm." {
		t.Errorf("lead of x: %q", x.Lead)
	}
	if x.Date(time.UTC) != "2026-11-20" {
		t.Errorf("date of x: %s, want the day it was published, in its own zone", x.Date(time.UTC))
	}
	if y.Title != "A short note without a title or a summary." || y.Date(nil) != y.AddedAt.UTC().Format("2006-01-02") {
		t.Errorf("y: %+v, date %s", y, y.Date(nil))
	}
	if d, err := Collect(w.db, d.Cursor, 5); err != nil || !d.Empty() || !d.Cursor.Equal(d.Since) {
		t.Errorf("after the newest: %+v, %v", d, err)
	}
}
