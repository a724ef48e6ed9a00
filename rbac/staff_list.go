package rbac

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// StaffQuery selects one page of staff members, ordered by ID. Zero
// fields do not filter.
type StaffQuery struct {
	// Search keeps staff whose login, e-mail or full name (any language)
	// contains it, ignoring case. On SQLite a search with non-ASCII
	// letters reads every row (in chunks) to compare them.
	Search string
	// Department keeps the department's members.
	Department DepartmentID
	// Status keeps staff with this status.
	Status *Status
	// After is the cursor: only staff with a larger ID. Pass the previous
	// page's Next.
	After StaffID
	// Limit is the page size: 0 means DefaultPageSize, at most MaxPageSize.
	Limit int
}

// Page sizes of ListStaff and ListDepartments.
const (
	DefaultPageSize = 50
	MaxPageSize     = 500
	maxSearchLen    = 200
)

// StaffPage is one page of ListStaff.
type StaffPage struct {
	Staff []Staff
	// Next is the cursor of the next page (StaffQuery.After), 0 after the
	// last page.
	Next StaffID
}

// StaffRowQuery is what ListStaff asks of the Store: rows by ID order,
// after a cursor, optionally among given IDs and matching a search. The
// store may return rows that do not match the search (ListStaff checks
// each), never leave out one that does.
type StaffRowQuery struct {
	After  StaffID
	IDs    []StaffID // when not nil, only these (sorted)
	Search string
	Limit  int
}

func (q StaffQuery) validate() error {
	var fe fieldErrors
	switch {
	case q.Limit < 0 || q.Limit > MaxPageSize:
		fe.add("limit", "range", "must be between 0 and %d", MaxPageSize)
	case len(q.Search) > maxSearchLen:
		fe.add("search", "max_length", "must be at most %d bytes", maxSearchLen)
	case !utf8.ValidString(q.Search) || strings.IndexByte(q.Search, 0) >= 0:
		fe.add("search", "format", "must be valid UTF-8 without NUL bytes")
	case q.After < 0 || q.Department < 0:
		fe.add("after", "format", "IDs must not be negative")
	case q.Status != nil && *q.Status > StatusDisabled:
		fe.add("status", "enum", "must be active or disabled")
	}
	return fe.err("list staff")
}

// ListStaff returns one page of staff members matching q, with their
// departments, full access and status filled in from the decisions this
// instance serves. Errors: ErrInvalid (a bad query).
func (s *Service) ListStaff(ctx context.Context, q StaffQuery) (StaffPage, error) {
	if err := q.validate(); err != nil {
		return StaffPage{}, err
	}
	limit := q.Limit
	if limit == 0 {
		limit = DefaultPageSize
	}
	snap := s.snap.Load()
	var members []StaffID
	if q.Department != 0 {
		members = s.DepartmentMembers(q.Department)
		if len(members) == 0 {
			return StaffPage{}, nil
		}
	}
	// Rows come in chunks; the status filter (policy, not rows) may drop
	// some, so read on until the page holds limit+1 or the rows end.
	var page []Staff
	after := q.After
	chunk := limit + 1
	if q.Search != "" || q.Status != nil {
		chunk = max(chunk, 256) // filters drop rows: read more per query
	}
	for len(page) <= limit {
		rq := StaffRowQuery{After: after, Search: q.Search, Limit: chunk}
		if members != nil {
			i, _ := slices.BinarySearch(members, after+1) // the first ID after the cursor
			if i >= len(members) {
				break
			}
			rq.IDs = members[i:min(len(members), i+chunk)]
		}
		rows, err := s.store.StaffPage(ctx, rq)
		if err != nil {
			return StaffPage{}, fmt.Errorf("list staff: %w", err)
		}
		for i := range rows {
			fillStaff(snap, &rows[i])
			if (q.Status == nil || rows[i].Status == *q.Status) && matchesSearch(rows[i], q.Search) {
				page = append(page, rows[i])
			}
		}
		switch {
		case members != nil && len(rows) < rq.Limit:
			// The chunk of IDs is used up: continue after its last ID.
			after = rq.IDs[len(rq.IDs)-1]
		case len(rows) < rq.Limit:
			after = -1 // the rows ended
		default:
			after = rows[len(rows)-1].ID
		}
		if after < 0 {
			break
		}
	}
	out := StaffPage{Staff: page}
	if len(page) > limit {
		out.Staff = page[:limit]
		out.Next = page[limit-1].ID
	}
	return out, nil
}

// matchesSearch checks the store's answer on the values themselves: the
// store matches the encoded full name, whose JSON keys ("en") would
// otherwise match every row.
func matchesSearch(st Staff, search string) bool {
	if search == "" {
		return true
	}
	needle := strings.ToLower(search)
	if strings.Contains(strings.ToLower(st.Login), needle) || strings.Contains(strings.ToLower(st.Email), needle) {
		return true
	}
	for _, name := range st.FullName {
		if strings.Contains(strings.ToLower(name), needle) {
			return true
		}
	}
	return false
}
