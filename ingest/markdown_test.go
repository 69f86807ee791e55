package ingest_test

import (
	"strings"
	"testing"
	"time"

	"github.com/baobot/baobot/ingest"
	"github.com/baobot/baobot/retrieval"
)

func TestMarkdownFrontMatter(t *testing.T) {
	content := `---
# a comment
id: bao-so-3
title: "Bão số 3: \"Yagi\" đổ bộ"
url: https://example.vn/bao-so-3   # trailing comment
source: 'Báo ''Mẫu'''
published: 2024-09-07T10:00:00+07:00
lang: vi-VN
summary: >
  Bão Yagi gây mưa lớn
  ở miền Bắc.
tags:
  - bão
  - thời tiết
author: { name: x }
---
Chiều 7/9, bão đã đổ bộ.
`
	rec := parseOne(t, "x/bài.md", content)
	wantErr(t, rec, nil)
	a := rec.Article
	checkArticle(t, rec.Origin, a)
	want := retrieval.Article{
		ID:        "bao-so-3",
		Title:     `Bão số 3: "Yagi" đổ bộ`,
		URL:       "https://example.vn/bao-so-3",
		Source:    "Báo 'Mẫu'",
		Published: time.Date(2024, 9, 7, 3, 0, 0, 0, time.UTC),
		Language:  "vi",
		Summary:   "Bão Yagi gây mưa lớn ở miền Bắc.",
		Body:      "Chiều 7/9, bão đã đổ bộ.",
	}
	if !a.Published.Equal(want.Published) {
		t.Errorf("published = %v, want %v", a.Published, want.Published)
	}
	a.Published, want.Published = time.Time{}, time.Time{}
	if a != want {
		t.Errorf("article\n got %+v\nwant %+v", a, want)
	}
}

func TestMarkdownFrontMatterDefaults(t *testing.T) {
	tests := []struct {
		name, content string
		want          retrieval.Article
	}{
		{
			name:    "date only, file ID and source",
			content: "---\npublished: 2024-09-07\n---\n# Tiêu đề\n\nNội dung.\n",
			want:    retrieval.Article{ID: "tin/bao", Title: "Tiêu đề", Source: "bao.md", Published: time.Date(2024, 9, 7, 0, 0, 0, 0, time.UTC), Body: "Nội dung."},
		},
		{
			name:    "no front matter, CRLF",
			content: "# Tiêu đề\r\n\r\nDòng một\r\ncùng đoạn.\r\n\r\nĐoạn hai.\r\n",
			want:    retrieval.Article{ID: "tin/bao", Title: "Tiêu đề", Source: "bao.md", Body: "Dòng một cùng đoạn.\nĐoạn hai."},
		},
		{
			name:    "empty front matter, block literal summary",
			content: "---\nsummary: |\n  Dòng một.\n  Dòng hai.\n...\nNội dung. Câu hai.\n",
			want:    retrieval.Article{ID: "tin/bao", Title: "Nội dung", Source: "bao.md", Summary: "Dòng một.\nDòng hai.", Body: "Nội dung. Câu hai."},
		},
		{
			name:    "front matter title wins; a different heading stays in the body",
			content: "---\ntitle: Tiêu đề thật\n---\n# Tiêu đề khác\n\nNội dung.\n",
			want:    retrieval.Article{ID: "tin/bao", Title: "Tiêu đề thật", Source: "bao.md", Body: "Tiêu đề khác\nNội dung."},
		},
		{
			name:    "a heading equal to the front matter title is not repeated",
			content: "---\ntitle: Tiêu đề\n---\n# Tiêu đề\n\nNội dung.\n",
			want:    retrieval.Article{ID: "tin/bao", Title: "Tiêu đề", Source: "bao.md", Body: "Nội dung."},
		},
		{
			name:    "setext heading",
			content: "Tiêu đề\n=======\n\nNội dung.\n",
			want:    retrieval.Article{ID: "tin/bao", Title: "Tiêu đề", Source: "bao.md", Body: "Nội dung."},
		},
		{
			name:    "level-2 heading first is body; title derived",
			content: "## Phần một\n\nNội dung.\n",
			want:    retrieval.Article{ID: "tin/bao", Title: "Phần một", Source: "bao.md", Body: "Phần một\nNội dung."},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := parseOne(t, "tin/bao.md", tt.content)
			wantErr(t, rec, nil)
			checkArticle(t, rec.Origin, rec.Article)
			if got := rec.Article; !got.Published.Equal(tt.want.Published) {
				t.Errorf("published = %v, want %v", got.Published, tt.want.Published)
			}
			got, want := rec.Article, tt.want
			got.Published, want.Published = time.Time{}, time.Time{}
			if got != want {
				t.Errorf("article\n got %+v\nwant %+v", got, want)
			}
		})
	}
}

func TestMarkdownBody(t *testing.T) {
	content := "# Bão *số 3*\n\n" +
		"Chiều 7/9, **bão** _Yagi_ ~~mạnh~~ đổ bộ, theo [Trung tâm Dự báo](https://nchmf.gov.vn \"t\") và <https://example.vn>.\n" +
		"![Ảnh bão](bao.jpg) Ảnh: TTXVN\n\n" +
		"## Thiệt hại\n\n" +
		"- Cây đổ\n- Mất điện\n\n" +
		"3. Quảng Ninh\n4. Hải Phòng\n\n" +
		"> Trích dẫn *quan trọng*.\n\n" +
		"Dùng `go test` để kiểm tra; snake_case_name và 2 * 3 * 4 giữ nguyên.\n\n" +
		"```go\nfunc main() {\n    fmt.Println(\"x\")\n}\n```\n\n" +
		"| Tỉnh | Mưa |\n| --- | --- |\n| Quảng Ninh | 300 mm |\n\n" +
		"Ký tự &amp; &copy; &#39; \\*không nghiêng\\* và dòng  \ncứng.\n\n" +
		"<div class=\"box\"><p>Văn bản HTML</p><script>alert('leakedScript')</script><style>.leakedStyle{}</style></div>\n\n" +
		"Đoạn có <span>thẻ</span> nội dòng.\n\n" +
		"---\n\n" +
		"[![chỉ ảnh](a.png)](https://x.vn)\n\nCuối."
	rec := parseOne(t, "a.md", content)
	wantErr(t, rec, nil)
	checkArticle(t, rec.Origin, rec.Article)
	if rec.Article.Title != "Bão số 3" {
		t.Errorf("title = %q", rec.Article.Title)
	}
	want := strings.Join([]string{
		// One paragraph over two source lines; the image is gone.
		"Chiều 7/9, bão Yagi mạnh đổ bộ, theo Trung tâm Dự báo và https://example.vn. Ảnh: TTXVN",
		"Thiệt hại",
		"Cây đổ",
		"Mất điện",
		"3. Quảng Ninh",
		"4. Hải Phòng",
		"Trích dẫn quan trọng.",
		"Dùng go test để kiểm tra; snake_case_name và 2 * 3 * 4 giữ nguyên.",
		"func main() {",
		`fmt.Println("x")`,
		"}",
		"Tỉnh | Mưa",
		"Quảng Ninh | 300 mm",
		"Ký tự & © ' *không nghiêng* và dòng",
		"cứng.",
		"Văn bản HTML",
		"Đoạn có thẻ nội dòng.",
		"Cuối.",
	}, "\n")
	if rec.Article.Body != want {
		t.Errorf("body:\n%s\nwant:\n%s", rec.Article.Body, want)
	}
}

func TestMarkdownErrors(t *testing.T) {
	tests := []struct {
		name, content string
		want          error
		errHas        []string
	}{
		{"empty file", "", ingest.ErrEmpty, []string{"empty file"}},
		{"blank file", "\n  \n", ingest.ErrEmpty, nil},
		{"front matter only", "---\ntitle: X\n---\n", ingest.ErrEmpty, []string{"no body"}},
		{"only an image", "![a](b.png)\n", ingest.ErrEmpty, nil},
		{"unclosed front matter", "---\ntitle: X\nBody.\n", ingest.ErrMalformed, []string{"never closed"}},
		{"line without colon", "---\ntitle: X\njust words\n---\nBody.\n", ingest.ErrMalformed, []string{"line 3", "key: value"}},
		{"bad date", "---\npublished: 07/09/2024\n---\nBody.\n", ingest.ErrMalformed, []string{"07/09/2024", "RFC 3339"}},
		{"bad url", "---\nurl: example.vn/x\n---\nBody.\n", ingest.ErrMalformed, []string{"example.vn/x"}},
		{"javascript url", "---\nurl: javascript:alert(1)\n---\nBody.\n", ingest.ErrMalformed, nil},
		{"bad lang", "---\nlang: Vietnamese\n---\nBody.\n", ingest.ErrMalformed, []string{"Vietnamese"}},
		{"duplicate key", "---\ntitle: A\nTitle: B\n---\nBody.\n", ingest.ErrMalformed, []string{"line 3", "twice"}},
		{"list value", "---\ntitle:\n  - a\n  - b\n---\nBody.\n", ingest.ErrMalformed, []string{"line 3", "single value"}},
		{"flow list value", "---\ntitle: [a, b]\n---\nBody.\n", ingest.ErrMalformed, []string{"single value"}},
		{"unterminated quote", "---\ntitle: \"abc\n---\nBody.\n", ingest.ErrMalformed, []string{"unterminated"}},
		{"invalid UTF-8 in front matter", "---\ntitle: \xff\n---\nBody.\n", ingest.ErrNotText, []string{"line 2"}},
		{"NUL escape in front matter", "---\ntitle: \"a\\x00b\"\n---\nBody.\n", ingest.ErrNotText, []string{"NUL"}},
		{"invalid UTF-8 escape in front matter", "---\ntitle: \"a\\xffb\"\n---\nBody.\n", ingest.ErrNotText, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantErr(t, parseOne(t, "a.md", tt.content), tt.want, tt.errHas...)
		})
	}
}
