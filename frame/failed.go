package frame

// Failed returns a frame that carries err: every step keeps it, and Err,
// Schema, Explain and Collect return it. Front ends that build frames
// (the SQL session) use it to report a mistake the frame way.
func Failed(err error) *DataFrame {
	if err == nil {
		return FromPlan(nil)
	}
	return failed(err)
}
