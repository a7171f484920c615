package templates

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"text/template"
	tparse "text/template/parse"
	"time"
)

// Templates from --template-dir are data, not programs with reach: besides
// refusing symlinks and non-regular files (Load), each template is checked
// when parsed for loops that could run unbounded, and each execution is
// bounded in output and time.
const (
	// maxLoop bounds a {{range N}} over an integer literal and a variable
	// set from one; maxLoopWork bounds the product of nested literal loops.
	maxLoop     = 10000
	maxLoopWork = 1_000_000
	// maxOutput bounds what one block or document may render.
	maxOutput = 1 << 20
	// maxExec bounds the time one execution may take.
	maxExec = 5 * time.Second
)

// ErrTooExpensive is wrapped by errors about a template that could run or
// render without bound.
var ErrTooExpensive = errors.New("template exceeds the execution bounds")

// checkBounds walks t's parse trees and refuses loops over large integer
// literals, alone or nested (following {{template}} calls).
func checkBounds(t *template.Template, origin string) error {
	memo := map[string]float64{}
	var cost func(n tparse.Node, depth int) (float64, error)
	tmplCost := func(name string, depth int) (float64, error) {
		if c, ok := memo[name]; ok {
			return c, nil
		}
		memo[name] = 1 // a recursive call is bounded by text/template's depth limit
		tt := t.Lookup(name)
		if tt == nil || tt.Tree == nil || depth > 50 {
			return 1, nil
		}
		c, err := cost(tt.Tree.Root, depth+1)
		memo[name] = c
		return c, err
	}
	literal := func(p *tparse.PipeNode) (float64, bool) {
		if p == nil || len(p.Cmds) != 1 || len(p.Cmds[0].Args) != 1 {
			return 0, false
		}
		num, ok := p.Cmds[0].Args[0].(*tparse.NumberNode)
		if !ok {
			return 0, false
		}
		if num.IsInt {
			return float64(num.Int64), true
		}
		if num.IsFloat {
			return num.Float64, true
		}
		return 0, false
	}
	// branch is an {{if}} or {{with}}: one of its two lists runs.
	branch := func(n *tparse.BranchNode, depth int) (float64, error) {
		a, err := cost(n.List, depth)
		if err != nil {
			return 0, err
		}
		b, err := cost(n.ElseList, depth)
		return 1 + max(a, b), err
	}
	tooBig := func(n tparse.Node, what string) error {
		return fmt.Errorf("templates: %s: %s %s: %w (loops over at most %s)", origin, what, n, ErrTooExpensive, strconv.Itoa(maxLoop))
	}
	cost = func(n tparse.Node, depth int) (float64, error) {
		switch n := n.(type) {
		case nil:
			return 0, nil
		case *tparse.ListNode:
			if n == nil {
				return 0, nil
			}
			total := 0.0
			for _, c := range n.Nodes {
				k, err := cost(c, depth)
				if err != nil {
					return 0, err
				}
				total += k
			}
			return total, nil
		case *tparse.ActionNode:
			if v, ok := literal(n.Pipe); ok && len(n.Pipe.Decl) > 0 && v > maxLoop {
				return 0, tooBig(n, "a variable set to")
			}
			return 1, nil
		case *tparse.IfNode:
			return branch(&n.BranchNode, depth)
		case *tparse.WithNode:
			return branch(&n.BranchNode, depth)
		case *tparse.RangeNode:
			body, err := cost(n.List, depth)
			if err != nil {
				return 0, err
			}
			els, err := cost(n.ElseList, depth)
			if err != nil {
				return 0, err
			}
			times := 1.0 // data-bounded: the results' own sizes
			if v, ok := literal(n.Pipe); ok {
				if v > maxLoop {
					return 0, tooBig(n, "a loop")
				}
				times = max(v, 1)
			}
			c := 1 + times*max(body, 1) + els
			if c > maxLoopWork {
				return 0, tooBig(n, "nested loops")
			}
			return c, nil
		case *tparse.TemplateNode:
			return tmplCost(n.Name, depth)
		}
		return 1, nil
	}
	for _, tt := range t.Templates() {
		if tt.Tree == nil {
			continue
		}
		if _, err := tmplCost(tt.Name(), 0); err != nil {
			return err
		}
	}
	return nil
}

// limitWriter fails a write past max bytes, which stops the execution.
type limitWriter struct {
	buf bytes.Buffer
	max int
}

var errTooMuchOutput = fmt.Errorf("output larger than %d bytes: %w", maxOutput, ErrTooExpensive)

func (w *limitWriter) Write(p []byte) (int, error) {
	if w.buf.Len()+len(p) > w.max {
		return 0, errTooMuchOutput
	}
	return w.buf.Write(p)
}

// execute runs block (or t itself when block is "") with data, bounded in
// output (maxOutput) and time (maxExec). On a timeout the execution is
// abandoned; checkBounds makes that a last resort.
func execute(t *template.Template, block string, data any) (string, error) {
	type result struct {
		s   string
		err error
	}
	done := make(chan result, 1)
	go func() {
		w := &limitWriter{max: maxOutput}
		var err error
		if block == "" {
			err = t.Execute(w, data)
		} else {
			err = t.ExecuteTemplate(w, block, data)
		}
		done <- result{w.buf.String(), err}
	}()
	timer := time.NewTimer(maxExec)
	defer timer.Stop()
	select {
	case r := <-done:
		return r.s, r.err
	case <-timer.C:
		return "", fmt.Errorf("execution took longer than %s: %w", maxExec, ErrTooExpensive)
	}
}
