package ingest_test

import (
	"strings"
	"testing"

	"github.com/baobot/baobot/ingest"
)

func TestText(t *testing.T) {
	long := strings.Repeat("Thủ tướng Nhật Bản và Tổng thống Mỹ hội đàm tại Nhà Trắng ", 4) + "hôm nay"
	tests := []struct {
		name      string
		content   string
		wantTitle string
		wantBody  string
		wantErr   error
		errHas    []string
	}{
		{
			name:      "title line",
			content:   "Bão số 3 đổ bộ vào miền Bắc\nChiều 7/9, bão số 3 đã đổ bộ.\nNhiều cây xanh bị quật đổ.\n",
			wantTitle: "Bão số 3 đổ bộ vào miền Bắc",
			wantBody:  "Chiều 7/9, bão số 3 đã đổ bộ.\nNhiều cây xanh bị quật đổ.",
		},
		{
			name:      "title then blank line",
			content:   "Giá vàng tăng mạnh\n\n\nGiá vàng SJC tăng 500.000 đồng.\n",
			wantTitle: "Giá vàng tăng mạnh",
			wantBody:  "Giá vàng SJC tăng 500.000 đồng.",
		},
		{
			name:      "first line is a sentence",
			content:   "Cuộc điện đàm diễn ra sau khi ông Kishida nhậm chức. Hai bên bàn về Triều Tiên.\nĐoạn thứ hai.",
			wantTitle: "Cuộc điện đàm diễn ra sau khi ông Kishida nhậm chức",
			wantBody:  "Cuộc điện đàm diễn ra sau khi ông Kishida nhậm chức. Hai bên bàn về Triều Tiên.\nĐoạn thứ hai.",
		},
		{
			name:      "question headline is a sentence",
			content:   "Vì sao giá vàng tăng?\nVì nhu cầu tăng.",
			wantTitle: "Vì sao giá vàng tăng?",
			wantBody:  "Vì sao giá vàng tăng?\nVì nhu cầu tăng.",
		},
		{
			name:      "a photo caption is never the title: it comes from the first paragraph of text",
			content:   "Ông Biden tại Nhà Trắng ngày 10/4. (Nguồn: Kyodo) |\nĐoạn văn.",
			wantTitle: "Đoạn văn",
			wantBody:  "Ông Biden tại Nhà Trắng ngày 10/4. (Nguồn: Kyodo) |\nĐoạn văn.",
		},
		{
			name:      "abbreviation dots do not end the first sentence",
			content:   "Dân số TP.HCM tăng 3.5% trong năm qua, theo thống kê. Còn nữa.",
			wantTitle: "Dân số TP.HCM tăng 3.5% trong năm qua, theo thống kê",
			wantBody:  "Dân số TP.HCM tăng 3.5% trong năm qua, theo thống kê. Còn nữa.",
		},
		{
			name:      "single short line is body, not title",
			content:   "Chỉ một dòng",
			wantTitle: "Chỉ một dòng",
			wantBody:  "Chỉ một dòng",
		},
		{
			name:      "over-long first line gives a truncated title",
			content:   long + "\nDòng hai.",
			wantTitle: "Thủ tướng Nhật Bản và Tổng thống Mỹ hội đàm tại Nhà Trắng Thủ tướng Nhật Bản và…",
			wantBody:  long + "\nDòng hai.",
		},
		{
			name:      "CRLF, lone CR, BOM, indentation and trailing spaces",
			content:   "\ufeffTiêu đề  \r\n\r\n   Dòng một.  \r\nDòng hai.\rDòng ba.\r\n\t\r\n",
			wantTitle: "Tiêu đề",
			wantBody:  "Dòng một.\nDòng hai.\nDòng ba.",
		},
		{
			name:    "empty file",
			content: "",
			wantErr: ingest.ErrEmpty,
			errHas:  []string{"empty file"},
		},
		{
			name:    "only blank lines",
			content: " \n\r\n\t\n",
			wantErr: ingest.ErrEmpty,
		},
		{
			name:    "invalid UTF-8 is rejected, not repaired",
			content: "Tiêu đề\nDòng \xc3\x28 hỏng\n",
			wantErr: ingest.ErrNotText,
			errHas:  []string{"invalid UTF-8", "line 2"},
		},
		{
			name:    "NUL byte",
			content: "Tiêu đề\nabc\x00def\n",
			wantErr: ingest.ErrNotText,
			errHas:  []string{"NUL", "line 2"},
		},
		{
			name:    "Latin-1 file",
			content: "Caf\xe9 au lait\nTr\xe8s bon.",
			wantErr: ingest.ErrNotText,
			errHas:  []string{"line 1"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := parseOne(t, "tin/bài.txt", tt.content)
			wantErr(t, rec, tt.wantErr, tt.errHas...)
			if tt.wantErr != nil {
				return
			}
			a := rec.Article
			checkArticle(t, rec.Origin, a)
			noMetadata(t, a)
			if a.Title != tt.wantTitle {
				t.Errorf("title = %q\n         want %q", a.Title, tt.wantTitle)
			}
			if a.Body != tt.wantBody {
				t.Errorf("body = %q\n        want %q", a.Body, tt.wantBody)
			}
		})
	}
}

func TestTextIDAndSource(t *testing.T) {
	tests := []struct {
		name, wantID, wantSource string
	}{
		{"a.txt", "a", "a.txt"},
		{"Tin tức/Bão số 3.txt", "tin-tuc/bao-so-3", "Bão số 3.txt"},
		{"ĐÀ NẴNG  (2024)!.TXT", "da-nang-2024", "ĐÀ NẴNG  (2024)!.TXT"},
		{"000_motegi_blinken_call.txt", "000_motegi_blinken_call", "000_motegi_blinken_call.txt"},
		{"../x/./y.txt", "x/y", "y.txt"},
		{"日本.txt", "", "日本.txt"}, // hashed: checked below
	}
	for _, tt := range tests {
		rec := parseOne(t, tt.name, "Tiêu đề\nNội dung.")
		wantErr(t, rec, nil)
		if rec.Origin != tt.name {
			t.Errorf("Origin = %q, want %q", rec.Origin, tt.name)
		}
		if tt.wantID == "" {
			if !strings.HasPrefix(rec.Article.ID, "doc-") || rec.Article.ID != parseOne(t, tt.name, "Khác\nkhác").Article.ID {
				t.Errorf("%q: ID %q, want a stable doc-<hash>", tt.name, rec.Article.ID)
			}
		} else if rec.Article.ID != tt.wantID {
			t.Errorf("%q: ID = %q, want %q", tt.name, rec.Article.ID, tt.wantID)
		}
		if rec.Article.Source != tt.wantSource {
			t.Errorf("%q: Source = %q, want %q", tt.name, rec.Article.Source, tt.wantSource)
		}
	}
}
