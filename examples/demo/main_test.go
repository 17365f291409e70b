package main

import (
	"context"
	"errors"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

var listeningRE = regexp.MustCompile(`chatident demo listening on (http://127\.0\.0\.1:[0-9]+)"`)

// startRun runs the program in-process on a free port and returns its URL,
// the log it writes, and a stop function that returns run's error.
func startRun(t *testing.T, env map[string]string) (string, *syncBuffer, func() error) {
	t.Helper()
	logs := &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0"}, func(k string) string { return env[k] }, logs)
	}()
	stop := func() error {
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(30 * time.Second):
			return errors.New("run did not return after cancel")
		}
	}
	// Wait for the listening line: a bound on a hang, not a timing check.
	deadline := time.Now().Add(30 * time.Second)
	for {
		if m := listeningRE.FindStringSubmatch(logs.String()); m != nil {
			return m[1], logs, stop
		}
		select {
		case err := <-done:
			t.Fatalf("run ended before listening: %v\n%s", err, logs)
		default:
		}
		if time.Now().After(deadline) {
			_ = stop()
			t.Fatalf("no listening line in the log:\n%s", logs)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestRunServesAndShutsDown(t *testing.T) {
	env := testEnv()
	delete(env, envEdnaKey)
	delete(env, envSessionKey)
	url, logs, stop := startRun(t, env)

	resp, err := http.Get(url + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "chatident demo") {
		t.Errorf("GET /: %d\n%s", resp.StatusCode, body)
	}
	if err := stop(); err != nil {
		t.Fatalf("run: %v", err)
	}
	if _, err := http.Get(url + "/"); err == nil {
		t.Errorf("the server still answers after shutdown")
	}

	log := logs.String()
	if !strings.Contains(log, "variables="+envEdnaKey+","+envSessionKey) {
		t.Errorf("the log does not name the generated secrets:\n%s", log)
	}
	for _, given := range env {
		if strings.Contains(log, given) {
			t.Errorf("the log shows a given secret:\n%s", log)
		}
	}
	// Generated secrets are 64 hex characters; none may be printed.
	if m := regexp.MustCompile(`[0-9a-f]{64}`).FindString(log); m != "" {
		t.Errorf("the log shows something like a generated secret: %s", m)
	}
}

func TestRunRefusesBadArguments(t *testing.T) {
	env := testEnv()
	for _, args := range [][]string{
		{"-addr", "256.0.0.1:0"},
		{"-nope"},
		{"extra"},
	} {
		var logs syncBuffer
		err := run(context.Background(), args, func(k string) string { return env[k] }, &logs)
		if err == nil {
			t.Errorf("run %q: no error", args)
		}
	}
	env[envSessionKey] = "too-short-test-key"
	var logs syncBuffer
	if err := run(context.Background(), nil, func(k string) string { return env[k] }, &logs); err == nil || !strings.Contains(err.Error(), envSessionKey) {
		t.Errorf("a short session key: %v", err)
	}
}
