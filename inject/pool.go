package inject

import "sync"

// responsePool recycles the per-response state of one Handler, with its
// held-bytes buffer, so that a response costs no buffer allocation once the
// pool is warm. Each Handler has its own pool because the buffer size
// depends on its MaxHeld.
//
// Only the state is pooled, never the http.ResponseWriter handed to the
// application (see writer): a handle the application kept past the end of
// its handler must not reach the next response's state.
type responsePool struct {
	p sync.Pool
}

// maxPooledTag bounds the start-tag buffer kept in the pool, so that one
// response with a huge nonce does not pin memory in every pooled state.
const maxPooledTag = 256

func (rp *responsePool) get() *response {
	if rs, ok := rp.p.Get().(*response); ok {
		return rs
	}
	return new(response)
}

// put returns rs to the pool once nothing can reach it any more.
func (rp *responsePool) put(rs *response) {
	rs.release()
	if cap(rs.tag) > maxPooledTag {
		rs.tag = nil
	}
	rp.p.Put(rs)
}
