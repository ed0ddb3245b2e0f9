package journal

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
)

func TestAcceptFindsTheSameKeyAndTheSamePerson(t *testing.T) {
	j := open(t)
	ctx := context.Background()
	sub := Submission{Campaign: "c", Key: "person1", Name: "Ana", City: "Lyon", Country: "France"}
	a, s, found, err := j.Accept(ctx, Action{ID: "a1", Campaign: "c", KeyHash: "h1"}, sub)
	if err != nil || found != New || s.ID == 0 || s.State != Queued || a.SubmissionID != s.ID {
		t.Fatalf("first: %+v %+v %v %v", a, s, found, err)
	}
	a2, s2, found, err := j.Accept(ctx, Action{ID: "a2", Campaign: "c", KeyHash: "h1"}, Submission{Campaign: "c", Key: "other", Name: "X", City: "Y", Country: "Z"})
	if err != nil || found != SameKey || a2.ID != "a1" || s2.ID != s.ID {
		t.Fatalf("same key: %+v %+v %v %v", a2, s2, found, err)
	}
	a3, s3, found, err := j.Accept(ctx, Action{ID: "a3", Campaign: "c", KeyHash: "h3"}, sub)
	if err != nil || found != SamePerson || a3.ID != "a1" || s3.ID != s.ID {
		t.Fatalf("same person: %+v %+v %v %v", a3, s3, found, err)
	}
	// Another campaign is another action.
	if _, _, found, err := j.Accept(ctx, Action{ID: "a4", Campaign: "d", KeyHash: "h1"}, Submission{Campaign: "d", Key: "person1", Name: "Ana", City: "Lyon", Country: "France"}); err != nil || found != New {
		t.Fatalf("other campaign: %v %v", found, err)
	}
	if _, _, _, err := j.Accept(ctx, Action{ID: "a5", Campaign: "c"}, sub); err == nil {
		t.Fatal("an action without a key hash was accepted")
	}
	got, gs, err := j.Action(ctx, "a1")
	if err != nil || got.SubmissionID != s.ID || gs.Name != "Ana" {
		t.Fatalf("Action: %+v %+v %v", got, gs, err)
	}
	if _, _, err := j.Action(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown action: %v", err)
	}
	if of, err := j.ActionOf(ctx, s.ID); err != nil || of.ID != "a1" {
		t.Fatalf("ActionOf: %+v %v", of, err)
	}
	queued, err := j.Queued(ctx, "c", 0, 10)
	if err != nil || len(queued) != 1 {
		t.Fatalf("queued: %d %v", len(queued), err)
	}
}

func TestAcceptGivesAnActionToASubmissionQueuedWithoutOne(t *testing.T) {
	j := open(t)
	ctx := context.Background()
	subs := signers("c", 1)
	if _, _, err := j.Enqueue(ctx, subs); err != nil {
		t.Fatal(err)
	}
	a, s, found, err := j.Accept(ctx, Action{ID: "a1", Campaign: "c", KeyHash: "h"}, Submission{Campaign: "c", Key: subs[0].Key, Name: "n", City: "c", Country: "c"})
	if err != nil || found != New || s.ID != subs[0].ID || a.SubmissionID != subs[0].ID {
		t.Fatalf("%+v %+v %v %v", a, s, found, err)
	}
}

func TestAcceptConcurrentlyStoresEachOnce(t *testing.T) {
	j := open(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	var mu sync.Mutex
	ids := map[string]int{}
	for i := range 200 {
		wg.Go(func() {
			// Every person twice, under two keys: one action each.
			p := i % 100
			a, _, _, err := j.Accept(ctx, Action{ID: fmt.Sprintf("a%d", i), Campaign: "c", KeyHash: fmt.Sprintf("h%d", i)},
				Submission{Campaign: "c", Key: fmt.Sprintf("p%d", p), Name: "n", City: "c", Country: "c"})
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			ids[fmt.Sprintf("p%d", p)+"/"+a.ID]++
			mu.Unlock()
		})
	}
	wg.Wait()
	if len(ids) != 100 {
		t.Fatalf("%d person/action pairs, want 100: %v", len(ids), ids)
	}
	n := 0
	for _, err := range j.Actions(ctx, "c") {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 100 {
		t.Fatalf("Actions: %d, want 100", n)
	}
}

func TestSettings(t *testing.T) {
	j := open(t)
	ctx := context.Background()
	if _, ok, err := j.Setting(ctx, "x"); ok || err != nil {
		t.Fatalf("unset: %v %v", ok, err)
	}
	if v, err := j.InitSetting(ctx, "x", "first"); err != nil || v != "first" {
		t.Fatalf("init: %q %v", v, err)
	}
	if v, err := j.InitSetting(ctx, "x", "second"); err != nil || v != "first" {
		t.Fatalf("init again: %q %v", v, err)
	}
	if err := j.PutSetting(ctx, "x", "third"); err != nil {
		t.Fatal(err)
	}
	if v, ok, err := j.Setting(ctx, "x"); !ok || err != nil || v != "third" {
		t.Fatalf("put: %q %v %v", v, ok, err)
	}
}
