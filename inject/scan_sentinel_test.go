package inject

import (
	"bytes"
	"slices"
	"strings"

	"golang.org/x/net/html"
)

// This file holds the parse checks: a sentinel script is inserted where the
// scanner says and the result is parsed with golang.org/x/net/html's tree
// builder, which knows the insertion modes the scanner does not model.

// scanSentinel is the script the parse checks insert.
const scanSentinel = "<script>/*sentinel*/</script>"

// scanSentinelFirstInHead inserts the sentinel into doc at at, parses the result
// as a browser would (a UTF-8 byte order mark removed), and returns what is
// wrong if the sentinel is not the first element child of <head>.
func scanSentinelFirstInHead(doc []byte, at int64) string {
	out := slices.Concat(doc[:at], []byte(scanSentinel), doc[at:])
	out = bytes.TrimPrefix(out, []byte("\xEF\xBB\xBF"))
	root, err := html.Parse(bytes.NewReader(out))
	if err != nil {
		return err.Error()
	}
	head := scanFindElement(root, "head")
	if head == nil {
		return "no <head> in the parsed tree"
	}
	first := head.FirstChild
	for first != nil && first.Type != html.ElementNode {
		first = first.NextSibling
	}
	if first == nil || first.Data != "script" || first.FirstChild == nil || first.FirstChild.Data != "/*sentinel*/" {
		var b strings.Builder
		_ = html.Render(&b, head)
		return "the sentinel is not the first element of <head>: " + b.String()
	}
	return ""
}

// scanSentinelParsesAsScript inserts the sentinel into doc at at, parses the
// result, and returns what is wrong if the sentinel did not become a script
// element of its own: it would have become text inside a comment, an
// attribute, or another element's raw text had the scanner misread where it
// was. Inside foreign content it becomes an SVG or MathML script element;
// that still shows the tokenizing was right (browsers run the SVG one, not
// the MathML one: see the scanner's doc).
func scanSentinelParsesAsScript(doc []byte, at int64) string {
	out := slices.Concat(doc[:at], []byte(scanSentinel), doc[at:])
	out = bytes.TrimPrefix(out, []byte("\xEF\xBB\xBF"))
	root, err := html.Parse(bytes.NewReader(out))
	if err != nil {
		return err.Error()
	}
	var ok bool
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "script" &&
			n.FirstChild != nil && n.FirstChild.Data == "/*sentinel*/" && n.FirstChild.NextSibling == nil {
			ok = true
		}
		for c := n.FirstChild; c != nil && !ok; c = c.NextSibling {
			walk(c)
		}
	}
	walk(root)
	if !ok {
		return "the sentinel did not parse as a script element"
	}
	return ""
}

func scanFindElement(n *html.Node, name string) *html.Node {
	if n.Type == html.ElementNode && n.Data == name && n.Namespace == "" {
		return n
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if f := scanFindElement(c, name); f != nil {
			return f
		}
	}
	return nil
}
