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
