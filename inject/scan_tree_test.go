package inject

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"golang.org/x/net/html"
)

// This file is the tree oracle for placements: the page with a sentinel
// element inserted where the scanner says is parsed by golang.org/x/net/html's
// tree builder, with scripting enabled as in browsers, and the sentinel must
// come out as exactly one HTML <script> element, outside <template> content
// and foreign content, with exactly the attributes and text that were
// inserted.
//
// The page is parsed up to the end of the inserted element: a browser runs
// an inline script when the tree builder processes its end tag, before it
// reads another byte, so what counts is the tree at that moment. What comes
// later may still move or drop the element (a <frameset> after the marker
// replaces the body, the adoption agency reparents nodes), after it ran. The sentinel's attributes stand for whatever the start tag
// carries (a nonce, a data attribute with JSON); they are compared
// generically, as parsed from the inserted start tag.

// scanTreeOpen and scanTreeText make up the sentinel element. Both carry
// scanTreeToken, so a sentinel that ended up as text, a comment or an
// attribute of another element is found too.
const (
	scanTreeToken = "chatident-sentinel"
	scanTreeOpen  = `<script nonce="n0nce" data-chatident='{"s":"chatident-sentinel","q":"\"&amp;"}'>`
	scanTreeText  = `/*chatident-sentinel*/`
)

// scanTreeCheck inserts the sentinel into doc at at, parses the result as a
// browser would (a UTF-8 byte order mark removed, scripting on) and returns
// what is wrong, or "".
func scanTreeCheck(doc []byte, at int64) string {
	return scanTreeCheckElement(doc, at, scanTreeOpen, scanTreeText)
}

// scanTreeCheckElement is scanTreeCheck for any start tag open and text.
func scanTreeCheckElement(doc []byte, at int64, open, text string) string {
	out := slices.Concat(doc[:at], []byte(open), []byte(text), []byte("</script>"), doc[at:])
	return scanTreeCheckOutput(out, open, text)
}

// scanTreeCheckOutput checks a whole output page that should hold the
// element <open>text</script> exactly once as an HTML script element. Its
// attributes are those of open as the tokenizer reads them.
func scanTreeCheckOutput(out []byte, open, text string) string {
	out = bytes.TrimPrefix(out, []byte("\xEF\xBB\xBF"))
	if i := bytes.Index(out, []byte(text+"</script>")); i >= 0 {
		out = out[:i+len(text)+len("</script>")]
	}
	wantAttr, err := scanTagAttrs(open)
	if err != nil {
		return err.Error()
	}
	root, err := html.ParseWithOptions(bytes.NewReader(out), html.ParseOptionEnableScripting(true))
	if err != nil {
		return err.Error()
	}
	token := scanTreeToken
	if !strings.Contains(text, token) {
		token = text
	}
	var found []*html.Node // every node that holds the token somewhere
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		hit := strings.Contains(n.Data, token)
		for _, a := range n.Attr {
			hit = hit || strings.Contains(a.Val, token) || strings.Contains(a.Key, token)
		}
		if hit {
			found = append(found, n)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(root)
	// The element itself holds the token in an attribute (when open has
	// one) and its text node holds the text: expect those nodes only.
	var el *html.Node
	for _, n := range found {
		if n.Type == html.TextNode && n.Parent != nil && n.Parent.Type == html.ElementNode && n.Parent.Data == "script" {
			if el != nil && el != n.Parent {
				return fmt.Sprintf("the sentinel text occurs in two script elements: %s", scanRenderNode(root))
			}
			el = n.Parent
		}
	}
	if el == nil {
		return "the sentinel did not parse as a script element: " + scanRenderNode(root)
	}
	for _, n := range found {
		if n != el && n.Parent != el {
			return fmt.Sprintf("the sentinel token also occurs outside the element, in %s: %s", scanNodeKind(n), scanRenderNode(root))
		}
	}
	if el.Namespace != "" {
		return fmt.Sprintf("the sentinel is a %s script element, not an HTML one", el.Namespace)
	}
	for a := el.Parent; a != nil; a = a.Parent {
		if a.Type == html.ElementNode && a.Namespace != "" {
			return fmt.Sprintf("the sentinel is inside foreign content (%s %s)", a.Namespace, a.Data)
		}
		if a.Type == html.ElementNode && a.Data == "template" {
			return "the sentinel is inside <template> content"
		}
	}
	if c := el.FirstChild; c == nil || c.Type != html.TextNode || c.Data != text || c.NextSibling != nil {
		var b strings.Builder
		_ = html.Render(&b, el)
		return "the sentinel's text is not exactly the script: " + b.String()
	}
	if !slices.Equal(el.Attr, wantAttr) {
		return fmt.Sprintf("the sentinel's attributes are %q, want %q", el.Attr, wantAttr)
	}
	return ""
}

// scanTagAttrs returns the attributes of the start tag open as the
// tokenizer reads them.
func scanTagAttrs(open string) ([]html.Attribute, error) {
	z := html.NewTokenizer(strings.NewReader(open))
	if tt := z.Next(); tt != html.StartTagToken {
		return nil, fmt.Errorf("sentinel start tag %q does not tokenize as a start tag", open)
	}
	return z.Token().Attr, nil
}

func scanNodeKind(n *html.Node) string {
	switch n.Type {
	case html.TextNode:
		if n.Parent != nil {
			return "text of <" + n.Parent.Data + ">"
		}
		return "text"
	case html.CommentNode:
		return "a comment"
	case html.ElementNode:
		return "an attribute of <" + n.Data + ">"
	}
	return fmt.Sprint("node type ", n.Type)
}

func scanRenderNode(n *html.Node) string {
	var b strings.Builder
	_ = html.Render(&b, n)
	s := b.String()
	if len(s) > 2000 {
		s = s[:2000] + "…"
	}
	return s
}

// scanMayDecline reports whether doc holds an element that can make the
// scanner's ambiguity guard decline: foreign content, <template>,
// <frameset> or <select>. A decline on a document without any is a bug.
func scanMayDecline(doc []byte) bool {
	l := bytes.ToLower(doc)
	for _, t := range []string{"<svg", "<math", "<template", "<frameset", "<select"} {
		if bytes.Contains(l, []byte(t)) {
			return true
		}
	}
	return false
}
