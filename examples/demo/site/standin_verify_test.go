package site

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// post sends body to h as the stand-ins do and decodes the verdict.
func post(t *testing.T, h http.Handler, contentType, body string) (int, verdict) {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, "/verify", strings.NewReader(body))
	r.Header.Set("Content-Type", contentType)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	var v verdict
	if w.Code == http.StatusOK {
		if err := json.Unmarshal(w.Body.Bytes(), &v); err != nil {
			t.Fatalf("decoding %q: %v", w.Body, err)
		}
	}
	if cc := w.Header().Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control = %q, want no-store", cc)
	}
	return w.Code, v
}

// Webim's public test vector (VENDORS.md), reproduced with
//
//	printf '%s' 'Евгенийabc@webim.ru12345+781238553371481195621' | openssl dgst -sha256 -hmac e64e35642555f3ecd64ae7dbb600dca8
const (
	webimVectorKey     = "e64e35642555f3ecd64ae7dbb600dca8"
	webimVectorExpires = 1481195621
	webimVectorHash    = "07ef16b821f9552a8b3118416ed9ed6278d3a8ff93751d157c88edc1895cd86f"
)

func webimVector(fields, expires, hash string) string {
	return `{"fields":` + fields + `,"expires":` + expires + `,"hash":"` + hash + `"}`
}

func TestVerifyWebim(t *testing.T) {
	before := func() time.Time { return time.Unix(webimVectorExpires-60, 0) }
	h := verifyWebim([]byte(webimVectorKey), before)
	fields := `{"id":"12345","display_name":"Евгений","phone":"+78123855337","email":"abc@webim.ru"}`
	for _, tc := range []struct {
		name, body string
		want       bool
		problem    string
	}{
		{"vector", webimVector(fields, "1481195621", webimVectorHash), true, ""},
		{"another name", webimVector(strings.Replace(fields, "Евгений", "Евгения", 1), "1481195621", webimVectorHash), false, "hash does not match"},
		{"later expires", webimVector(fields, "1481195622", webimVectorHash), false, "hash does not match"},
		{"uppercase hex", webimVector(fields, "1481195621", strings.ToUpper(webimVectorHash)), false, "hash is not lowercase hex"},
		{"no id", webimVector(`{"display_name":"x"}`, "1481195621", webimVectorHash), false, "fields.id is missing"},
		{"fraction", webimVector(fields, "1481195621.5", webimVectorHash), false, "expires is not an integer"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, v := post(t, h, "application/json", tc.body)
			if code != http.StatusOK || v.Verified != tc.want || v.Problem != tc.problem {
				t.Errorf("got %d %+v, want 200 verified=%v problem=%q", code, v, tc.want, tc.problem)
			}
		})
	}

	after := verifyWebim([]byte(webimVectorKey), func() time.Time { return time.Unix(webimVectorExpires, 0) })
	if _, v := post(t, after, "application/json", webimVector(fields, "1481195621", webimVectorHash)); v.Verified || v.Problem != "expired" {
		t.Errorf("at expires: %+v, want expired", v)
	}
}

func TestVerifyRejectsMalformedRequests(t *testing.T) {
	h := verifyWebim([]byte(webimVectorKey), time.Now)
	for _, tc := range []struct{ name, contentType, body string }{
		{"form", "application/x-www-form-urlencoded", "fields=1"},
		{"not JSON", "application/json", "{"},
		{"string field", "application/json", `{"fields":{"id":1}}`},
		{"too big", "application/json", `{"fields":{"id":"` + strings.Repeat("x", maxVerifyBody) + `"}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if code, _ := post(t, h, tc.contentType, tc.body); code != http.StatusBadRequest {
				t.Errorf("status %d, want 400", code)
			}
		})
	}
}

// The security_hash was computed with
//
//	python3 -c 'import hmac,hashlib; print(hmac.new(b"test-helpcrunch-secret-not-a-secret-0123456789", "user 42 ✓".encode(), hashlib.sha256).hexdigest())'
func TestVerifyHelpCrunch(t *testing.T) {
	h := verifyHelpCrunch(testSecrets().HelpCrunchSecret)
	const hash = "a9c0f5ed9329be2443f75b9798c2e00ff94277a1908ce671f0ca66e69beafc1a"
	for _, tc := range []struct {
		name, body string
		want       bool
	}{
		{"vector", `{"user_id":"user 42 ✓","security_hash":"` + hash + `"}`, true},
		{"other user", `{"user_id":"user 43 ✓","security_hash":"` + hash + `"}`, false},
		{"no hash", `{"user_id":"user 42 ✓"}`, false},
		{"no user", `{"security_hash":"` + hash + `"}`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, v := post(t, h, "application/json", tc.body)
			if code != http.StatusOK || v.Verified != tc.want {
				t.Errorf("got %d %+v, want 200 verified=%v", code, v, tc.want)
			}
		})
	}
}

// The tokens were made with Python's hmac and base64 modules:
//
//	python3 - <<'EOF'
//	import hmac,hashlib,base64,json
//	def b64(b): return base64.urlsafe_b64encode(b).rstrip(b'=').decode()
//	def jwt(claims, header={"alg":"HS256","typ":"JWT"}, digest=hashlib.sha256):
//	    h=b64(json.dumps(header,separators=(',',':')).encode())
//	    p=b64(json.dumps(claims,separators=(',',':'),ensure_ascii=False).encode())
//	    s=b64(hmac.new(b"test-zendesk-secret-not-a-secret-0123456789",(h+'.'+p).encode(),digest).digest())
//	    return h+'.'+p+'.'+s
//	c={"name":"T","email":"t@example.com","external_id":"42","iat":1700000000,"exp":1700000300,"jti":"test-jti-0123456789"}
//	print(jwt(dict(c, name="Тест </script>")))                 # good
//	print(jwt(dict(c, exp=1700000600)))                         # lives 10 minutes
//	print(jwt({k: v for k, v in c.items() if k != "jti"}))      # no jti
//	print(jwt(c, {"alg":"HS512","typ":"JWT"}, hashlib.sha512))  # another algorithm
//	EOF
//
// and the alg "none" token by hand from the same claims.
func TestVerifyZendesk(t *testing.T) {
	const (
		good    = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJuYW1lIjoi0KLQtdGB0YIgPC9zY3JpcHQ-IiwiZW1haWwiOiJ0QGV4YW1wbGUuY29tIiwiZXh0ZXJuYWxfaWQiOiI0MiIsImlhdCI6MTcwMDAwMDAwMCwiZXhwIjoxNzAwMDAwMzAwLCJqdGkiOiJ0ZXN0LWp0aS0wMTIzNDU2Nzg5In0.jekaNiL8oDurDkVU-CNCV-hqIcqyY6HBfFaiuuftY_o"
		long    = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJuYW1lIjoiVCIsImVtYWlsIjoidEBleGFtcGxlLmNvbSIsImV4dGVybmFsX2lkIjoiNDIiLCJpYXQiOjE3MDAwMDAwMDAsImV4cCI6MTcwMDAwMDYwMCwianRpIjoidGVzdC1qdGktMDEyMzQ1Njc4OSJ9.YPgPWMlGluc3XwR7rWL9MoI_rHZ__V6hTjd06JwiY04"
		noJTI   = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJuYW1lIjoiVCIsImVtYWlsIjoidEBleGFtcGxlLmNvbSIsImV4dGVybmFsX2lkIjoiNDIiLCJpYXQiOjE3MDAwMDAwMDAsImV4cCI6MTcwMDAwMDMwMH0.PLq9d_FPh-4Viw-9CQ78R6QALVFVfLU6zpg5xVYvG3U"
		hs512   = "eyJhbGciOiJIUzUxMiIsInR5cCI6IkpXVCJ9.eyJuYW1lIjoiVCIsImVtYWlsIjoidEBleGFtcGxlLmNvbSIsImV4dGVybmFsX2lkIjoiNDIiLCJpYXQiOjE3MDAwMDAwMDAsImV4cCI6MTcwMDAwMDMwMCwianRpIjoidGVzdC1qdGktMDEyMzQ1Njc4OSJ9.EigmONDKLetXgAV5eoA7IxM-COrFEpqImTAfknoTJ0Kgk1minpPGEwgmHRrEcTYuskA9y8VyWHhoV55H0H5sig"
		algNone = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJuYW1lIjoiVCIsImVtYWlsIjoidEBleGFtcGxlLmNvbSIsImV4dGVybmFsX2lkIjoiNDIiLCJpYXQiOjE3MDAwMDAwMDAsImV4cCI6MTcwMDAwMDMwMCwianRpIjoidGVzdC1qdGktMDEyMzQ1Njc4OSJ9."
	)
	at := func(unix int64) http.Handler {
		return verifyZendesk(testSecrets().ZendeskSecret, func() time.Time { return time.Unix(unix, 0) })
	}
	body := func(token string) string { return `{"token":"` + token + `"}` }

	code, v := post(t, at(1700000060), "application/json", body(good))
	if code != http.StatusOK || !v.Verified {
		t.Fatalf("good token: %d %+v", code, v)
	}
	want := map[string]any{"name": "Тест </script>", "email": "t@example.com", "external_id": "42", "jti": "test-jti-0123456789"}
	for k, w := range want {
		if v.Claims[k] != w {
			t.Errorf("claim %s = %v, want %v", k, v.Claims[k], w)
		}
	}

	for _, tc := range []struct {
		name, token string
		now         int64
		problem     string // a substring
	}{
		{"expired", good, 1700000300 + int64(zendeskLeeway/time.Second), "expired"},
		{"issued in the future", good, 1700000000 - int64(zendeskLeeway/time.Second) - 1, "used before issued"},
		{"lives too long", long, 1700000060, "more than 7 minutes"},
		{"no jti", noJTI, 1700000060, "jti is missing"},
		{"HS512", hs512, 1700000060, "signing method HS512 is invalid"},
		{"alg none", algNone, 1700000060, "token rejected"},
		{"tampered", strings.Replace(good, ".eyJuYW1l", ".eyJuYW1m", 1), 1700000060, "token rejected"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, v := post(t, at(tc.now), "application/json", body(tc.token))
			if code != http.StatusOK || v.Verified || !strings.Contains(v.Problem, tc.problem) {
				t.Errorf("got %d %+v, want not verified with %q", code, v, tc.problem)
			}
			if v.Claims != nil {
				t.Errorf("claims of an unverified token were returned: %v", v.Claims)
			}
		})
	}
}
