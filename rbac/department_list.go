package rbac

import (
	"context"
	"maps"
	"slices"
	"strings"
)

// DepartmentQuery selects one page of departments, ordered by ID. Zero
// fields do not filter.
type DepartmentQuery struct {
	// Search keeps departments whose name, in any language, contains it,
	// ignoring case.
	Search string
	// Status keeps departments with this status.
	Status *Status
	// After is the cursor: only departments with a larger ID.
	After DepartmentID
	// Limit is the page size: 0 means DefaultPageSize, at most MaxPageSize.
	Limit int
}

// DepartmentPage is one page of ListDepartments.
type DepartmentPage struct {
	Departments []Department
	// Next is the cursor of the next page, 0 after the last page.
	Next DepartmentID
}

// ListDepartments returns one page of departments matching q, ordered by
// ID (Departments orders by the panel's sort order instead). Errors:
// ErrInvalid (a bad query).
func (s *Service) ListDepartments(ctx context.Context, q DepartmentQuery) (DepartmentPage, error) {
	sq := StaffQuery{Search: q.Search, Status: q.Status, Limit: q.Limit, After: StaffID(q.After)}
	if err := sq.validate(); err != nil {
		return DepartmentPage{}, err
	}
	limit := q.Limit
	if limit == 0 {
		limit = DefaultPageSize
	}
	all, err := s.Departments(ctx)
	if err != nil {
		return DepartmentPage{}, err
	}
	slices.SortFunc(all, func(a, b Department) int { return int(a.ID - b.ID) })
	needle := strings.ToLower(q.Search)
	var page []Department
	for _, d := range all {
		if d.ID <= q.After || q.Status != nil && d.Status != *q.Status {
			continue
		}
		if needle != "" && !slices.ContainsFunc(slices.Collect(maps.Values(d.Name)), func(n string) bool {
			return strings.Contains(strings.ToLower(n), needle)
		}) {
			continue
		}
		page = append(page, d)
		if len(page) > limit {
			break
		}
	}
	out := DepartmentPage{Departments: page}
	if len(page) > limit {
		out.Departments, out.Next = page[:limit], page[limit-1].ID
	}
	return out, nil
}
