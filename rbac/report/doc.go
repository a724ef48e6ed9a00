// Package report renders billingrbac access data for people: an access
// matrix (staff × permissions) as a text table, CSV or Markdown, and an
// access review, one self-contained HTML page for a security reviewer
// (departments × functions heat map, staff with inherited and direct
// grants, full-access accounts highlighted).
//
// Basics:
//
//	m, err := report.BuildMatrix(ctx, svc, nil) // nil: every catalog permission
//	err = m.Write(os.Stdout, report.FormatMarkdown)
//
//	r, err := report.BuildReview(ctx, svc, report.ReviewOptions{})
//	err = r.WriteHTML(f)
//
// Caveats:
//   - Both read the decisions of one moment of the Service (the in-memory
//     index) and the department and staff rows from its store.
//   - Names are shown in the Service's default language.
//   - The HTML page loads nothing from elsewhere: no scripts, fonts or
//     images, so it can be mailed or archived as it is.
package report
