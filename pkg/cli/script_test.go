package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

// TestMain lets testscript run this test binary as the `faxjam` command:
// the scripts drive the real Execute, exit codes and all.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"faxjam": func() {
			now, err := clockFrom(os.Getenv(testClockEnv), os.Getenv(testOriginEnv))
			if err != nil {
				fmt.Fprintln(os.Stderr, "Error:", err)
				os.Exit(ExitUsage)
			}
			os.Exit(execute(BuildInfo{Version: "1.2.3-test", Commit: "abc1234", Date: "2026-01-02T03:04:05Z"},
				os.Args[1:], os.Stdin, os.Stdout, os.Stderr, now))
		},
	})
}

// TestScripts runs testdata/script/*.txtar: what a user types, and what
// faxjam answers on stdout, stderr and in its exit code.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		Setup: func(env *testscript.Env) error {
			env.Setenv("HOME", filepath.Join(env.WorkDir, "home"))
			env.Setenv("XDG_CONFIG_HOME", filepath.Join(env.WorkDir, "config"))
			env.Setenv("XDG_DATA_HOME", filepath.Join(env.WorkDir, "data"))
			env.Setenv("COLUMNS", "80")
			// The suite's clock (CI runs it at 03:00 and at 15:00 UTC); a
			// script may set its own.
			env.Setenv(testClockEnv, os.Getenv(testClockEnv))
			// One clock for the script's processes, moving forward.
			env.Setenv(testOriginEnv, strconv.FormatInt(time.Now().UnixNano(), 10))
			// Hostile values testscript cannot spell inline: a 10 KB name
			// and a note with a bell and an escape sequence.
			env.Setenv("HUGE", strings.Repeat("a", 10<<10))
			env.Setenv("CTRL", "hi\x07\x1b[31mred")
			// A free loopback port for scripts that run `petition serve`.
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				return err
			}
			env.Setenv("FREEPORT", strconv.Itoa(ln.Addr().(*net.TCPAddr).Port))
			return ln.Close()
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			// waitfor URL waits up to 10s for URL to answer 200.
			"waitfor": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 1 {
					ts.Fatalf("usage: waitfor URL")
				}
				deadline := time.Now().Add(10 * time.Second)
				for time.Now().Before(deadline) {
					if resp, err := http.Get(args[0]); err == nil {
						resp.Body.Close()
						if resp.StatusCode == http.StatusOK {
							return
						}
					}
					time.Sleep(50 * time.Millisecond)
				}
				ts.Fatalf("%s did not answer 200 within 10s", args[0])
			},
			// post URL JSON [TOKEN] posts a JSON body, as a signer's faxjam
			// would, with TOKEN as its bearer token when given.
			"post": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 2 && len(args) != 3 {
					ts.Fatalf("usage: post URL JSON [TOKEN]")
				}
				req, err := http.NewRequest(http.MethodPost, args[0], strings.NewReader(args[1]))
				if err != nil {
					ts.Fatalf("post: %v", err)
				}
				req.Header.Set("Content-Type", "application/json")
				if len(args) == 3 {
					req.Header.Set("Authorization", "Bearer "+args[2])
				}
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					ts.Fatalf("post: %v", err)
				}
				defer resp.Body.Close()
				if ok := resp.StatusCode < 300; ok == neg {
					ts.Fatalf("post %s: HTTP %d", args[0], resp.StatusCode)
				}
			},
			// echovendor VAR CODE starts an HTTP server on loopback that
			// answers every request with status CODE and an error body
			// echoing the request's credentials and URL back (a hostile or
			// careless vendor), and sets $VAR to its URL.
			"echovendor": func(ts *testscript.TestScript, neg bool, args []string) {
				if neg || len(args) != 2 {
					ts.Fatalf("usage: echovendor VAR CODE")
				}
				code, err := strconv.Atoi(args[1])
				if err != nil {
					ts.Fatalf("echovendor: bad code %q", args[1])
				}
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					user, pass, _ := r.BasicAuth()
					echo := strings.Join([]string{r.Header.Get("Authorization"), user, pass, r.URL.String()}, " ")
					body, _ := json.Marshal(map[string]any{"message": "rejected " + echo, "error": echo,
						"errors": []map[string]string{{"code": "echo", "detail": "rejected " + echo}}})
					w.Header().Set("Content-Type", "application/json")
					w.WriteHeader(code)
					w.Write(body)
				}))
				ts.Defer(srv.Close)
				ts.Setenv(args[0], srv.URL)
			},
			// nosecrets [PATH...] fails if any word of $SECRETS appears in
			// the last command's stdout or stderr, or in any file under the
			// PATHs (raw bytes: what `strings` of a database would show).
			"nosecrets": func(ts *testscript.TestScript, neg bool, args []string) {
				if neg {
					ts.Fatalf("usage: nosecrets [PATH...]")
				}
				secrets := strings.Fields(ts.Getenv("SECRETS"))
				if len(secrets) == 0 {
					ts.Fatalf("nosecrets: $SECRETS is empty")
				}
				check := func(what string, data []byte) {
					for _, s := range secrets {
						if bytes.Contains(data, []byte(s)) {
							ts.Fatalf("secret %s found in %s", s, what)
						}
					}
				}
				check("stdout", []byte(ts.ReadFile("stdout")))
				check("stderr", []byte(ts.ReadFile("stderr")))
				for _, root := range args {
					err := filepath.WalkDir(ts.MkAbs(root), func(path string, d fs.DirEntry, err error) error {
						if err != nil || d.IsDir() {
							return err
						}
						data, err := os.ReadFile(path)
						if err != nil {
							return err
						}
						check(path, data)
						return nil
					})
					if err != nil && !errors.Is(err, fs.ErrNotExist) {
						ts.Fatalf("nosecrets: %v", err)
					}
				}
			},
			// pdftext DIR runs pdftotext (poppler-utils; guard it with
			// [exec:pdftotext]) on each PDF in DIR (the outbox), its text
			// as stdout for the next check.
			"pdftext": func(ts *testscript.TestScript, neg bool, args []string) {
				if neg || len(args) != 1 {
					ts.Fatalf("usage: pdftext DIR")
				}
				pdfs, err := filepath.Glob(filepath.Join(ts.MkAbs(args[0]), "*.pdf"))
				if err != nil || len(pdfs) == 0 {
					ts.Fatalf("pdftext: no PDF in %s (%v)", args[0], err)
				}
				for _, p := range pdfs {
					ts.Check(ts.Exec("pdftotext", "-layout", p, "-"))
				}
			},
			// exits N CMD ARGS... runs CMD and checks its exit code is N;
			// stdout and stderr are then checked as after exec.
			"exits": func(ts *testscript.TestScript, neg bool, args []string) {
				if neg || len(args) < 2 {
					ts.Fatalf("usage: exits CODE command [args...]")
				}
				want, err := strconv.Atoi(args[0])
				if err != nil {
					ts.Fatalf("exits: bad code %q", args[0])
				}
				got := 0
				if err := ts.Exec(args[1], args[2:]...); err != nil {
					var ee *exec.ExitError
					if !errors.As(err, &ee) {
						ts.Fatalf("exits: %v", err)
					}
					got = ee.ExitCode()
				}
				if got != want {
					ts.Fatalf("%s exited with %d, want %d", args[1], got, want)
				}
			},
		},
	})
}
