package ingest_test

import (
	"strings"
	"testing"
	"time"

	"github.com/baobot/baobot/ingest"
)

// newsPage is a news page with the clutter readability must leave out.
func newsPage(head, extra string) string {
	return `<!DOCTYPE html>
<html lang="vi-VN">
<head>
<meta charset="utf-8">
<title>Bão số 3 đổ bộ | Báo Mẫu</title>
` + head + `
<style>body { color: red } .leakedStyle {}</style>
<script>var leakedScript = 1;</script>
</head>
<body>
<nav><a href="/">Trang chủ</a> <a href="/the-gioi">Thế giới</a></nav>
<article>
<h1>Bão số 3 đổ bộ vào miền Bắc</h1>
<p>Chiều 7/9, bão số 3 (Yagi) đã đổ bộ vào vùng biển Quảng Ninh - Hải Phòng với sức gió mạnh nhất cấp 12, giật cấp 15.</p>
<script>document.write("leakedScript2")</script>
<p>Theo Trung tâm Dự báo Khí tượng Thủy văn quốc gia, bão gây mưa lớn trên diện rộng ở các tỉnh miền Bắc. <style>.leakedStyle2{}</style>Nhiều cây xanh bị quật đổ, nhiều tuyến phố ngập sâu.</p>
<noscript>leakedNoscript</noscript>
<template><p>leakedTemplate</p></template>
<!-- leakedComment -->
<p>Chính quyền các địa phương đã sơ tán hàng nghìn hộ dân khỏi vùng nguy hiểm trước khi bão đổ bộ vào đất liền.</p>
` + extra + `
</article>
<footer>Bản quyền © Báo Mẫu</footer>
</body></html>`
}

func TestHTML(t *testing.T) {
	const meta = `<meta property="og:title" content="Bão số 3 đổ bộ vào miền Bắc">
<meta property="og:site_name" content="Báo Mẫu">
<meta property="og:url" content="https://example.vn/og">
<link rel="canonical" href="https://example.vn/bao-so-3">
<meta property="article:published_time" content="2024-09-07T10:00:00+07:00">`
	rec := parseOne(t, "tin/bão.html", newsPage(meta, ""))
	wantErr(t, rec, nil)
	a := rec.Article
	checkArticle(t, rec.Origin, a)
	if a.ID != "tin/bao" || a.Title != "Bão số 3 đổ bộ vào miền Bắc" || a.Source != "Báo Mẫu" ||
		a.URL != "https://example.vn/bao-so-3" || a.Language != "vi" || a.Summary != "" {
		t.Errorf("metadata: %+v", a)
	}
	if want := time.Date(2024, 9, 7, 3, 0, 0, 0, time.UTC); !a.Published.Equal(want) {
		t.Errorf("published = %v, want %v", a.Published, want)
	}
	lines := strings.Split(a.Body, "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "Chiều 7/9") || !strings.HasPrefix(lines[1], "Theo Trung tâm") || !strings.HasPrefix(lines[2], "Chính quyền") {
		t.Errorf("want three paragraph lines, got %q", a.Body)
	}
	for _, leak := range []string{"leaked", "color: red", "Trang chủ", "Bản quyền"} {
		if strings.Contains(a.Body, leak) {
			t.Errorf("body holds %q: %q", leak, a.Body)
		}
	}
}

func TestHTMLMetadata(t *testing.T) {
	tests := []struct {
		name, head               string
		wantURL, wantSource      string
		wantPublished, wantTitle string
	}{
		{
			name:       "no metadata: nothing invented",
			head:       "",
			wantSource: "bão.html",
			wantTitle:  "Bão số 3 đổ bộ",
		},
		{
			name:       "og:url when there is no canonical link",
			head:       `<meta property="og:url" content="https://example.vn/og">`,
			wantURL:    "https://example.vn/og",
			wantSource: "bão.html",
			wantTitle:  "Bão số 3 đổ bộ",
		},
		{
			name:       "relative canonical is dropped for og:url",
			head:       `<link rel="canonical" href="/bao-so-3"><meta property="og:url" content="https://example.vn/og">`,
			wantURL:    "https://example.vn/og",
			wantSource: "bão.html",
			wantTitle:  "Bão số 3 đổ bộ",
		},
		{
			name:       "relative URLs only: none",
			head:       `<link rel="canonical" href="bao-so-3.html">`,
			wantSource: "bão.html",
			wantTitle:  "Bão số 3 đổ bộ",
		},
		{
			name:          "date-only published time",
			head:          `<meta property="article:published_time" content="2024-09-07">`,
			wantSource:    "bão.html",
			wantPublished: "2024-09-07T00:00:00Z",
			wantTitle:     "Bão số 3 đổ bộ",
		},
		{
			name:       "unparsable published time is ignored",
			head:       `<meta property="article:published_time" content="hôm qua">`,
			wantSource: "bão.html",
			wantTitle:  "Bão số 3 đổ bộ",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := parseOne(t, "bão.html", newsPage(tt.head, ""))
			wantErr(t, rec, nil)
			a := rec.Article
			checkArticle(t, rec.Origin, a)
			if a.URL != tt.wantURL || a.Source != tt.wantSource || a.Title != tt.wantTitle {
				t.Errorf("url=%q source=%q title=%q; want %q %q %q", a.URL, a.Source, a.Title, tt.wantURL, tt.wantSource, tt.wantTitle)
			}
			got := ""
			if !a.Published.IsZero() {
				got = a.Published.UTC().Format(time.RFC3339)
			}
			if got != tt.wantPublished {
				t.Errorf("published = %q, want %q", got, tt.wantPublished)
			}
		})
	}
}

func TestHTMLSmallPages(t *testing.T) {
	tests := []struct {
		name, content       string
		wantErr             error
		wantTitle, wantBody string
	}{
		{
			name:      "fragment without head: title derived",
			content:   "<p>Chỉ một đoạn ngắn. Câu hai.</p>",
			wantTitle: "Chỉ một đoạn ngắn",
			wantBody:  "Chỉ một đoạn ngắn. Câu hai.",
		},
		{
			name:      "br splits lines",
			content:   "<html><head><title>T</title></head><body><div>Dòng một<br>Dòng hai</div></body></html>",
			wantTitle: "T",
			wantBody:  "Dòng một\nDòng hai",
		},
		{
			name:      "declared Latin-1 is decoded",
			content:   "<html><head><meta charset=\"iso-8859-1\"><title>Caf\xe9</title></head><body><p>Cr\xe8me br\xfbl\xe9e.</p></body></html>",
			wantTitle: "Café",
			wantBody:  "Crème brûlée.",
		},
		{
			name:      "UTF-16 with a byte order mark is decoded",
			content:   utf16LE("\ufeff<p>Xin chào.</p>"),
			wantTitle: "Xin chào",
			wantBody:  "Xin chào.",
		},
		{name: "empty file", content: "", wantErr: ingest.ErrEmpty},
		{name: "only white space", content: " \n\t", wantErr: ingest.ErrEmpty},
		{name: "only script and style", content: "<html><head><script>x()</script></head><body><style>p{}</style><script>y()</script></body></html>", wantErr: ingest.ErrEmpty},
		{name: "undeclared invalid UTF-8", content: "<html><body><p>Caf\xe9</p></body></html>", wantErr: ingest.ErrNotText},
		{name: "declared UTF-8 but invalid", content: "<meta charset=utf-8><p>Caf\xe9</p>", wantErr: ingest.ErrNotText},
		{name: "NUL byte", content: "<p>a\x00b</p>", wantErr: ingest.ErrNotText},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := parseOne(t, "p.htm", tt.content)
			wantErr(t, rec, tt.wantErr)
			if tt.wantErr != nil {
				return
			}
			checkArticle(t, rec.Origin, rec.Article)
			if rec.Article.Title != tt.wantTitle || rec.Article.Body != tt.wantBody {
				t.Errorf("title=%q body=%q; want %q %q", rec.Article.Title, rec.Article.Body, tt.wantTitle, tt.wantBody)
			}
		})
	}
}

// utf16LE encodes s as UTF-16 little-endian (s must be in the BMP).
func utf16LE(s string) string {
	var b strings.Builder
	for _, r := range s {
		b.WriteByte(byte(r))
		b.WriteByte(byte(r >> 8))
	}
	return b.String()
}
