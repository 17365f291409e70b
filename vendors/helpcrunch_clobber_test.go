package vendors

import (
	"context"
	"testing"
)

// TestHelpCrunchClobberedGlobal: markup before the script can make
// window.HelpCrunch an element (<a id=HelpCrunch>, <img name=HelpCrunch>):
// the script must still queue init with the visitor for the widget rather
// than call the element and throw.
func TestHelpCrunchClobberedGlobal(t *testing.T) {
	h := &HelpCrunch{Organization: hcTestOrg, AppID: hcTestAppID, Secret: testKey}
	js, err := identifyJS(context.Background(), h, testRequest(), Visitor{ID: "12345"})
	if err != nil {
		t.Fatal(err)
	}
	// The element stand-in: an object, truthy, not a function.
	cmds, _ := runHelpCrunch(t, append([]byte(`window.HelpCrunch={nodeName:"A",id:"HelpCrunch"};`+"\n"), js...))
	found := false
	for _, c := range cmds {
		if len(c) > 0 && c[0] == "init" {
			found = true
		}
	}
	if !found {
		t.Errorf("no init queued with HelpCrunch clobbered by an element: %v", cmds)
	}
}
