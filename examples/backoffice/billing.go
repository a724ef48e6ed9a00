package main

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"
	"gorm.io/gorm"

	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/rbac/httpauthz"
)

// Client and Invoice are the back office's own tables, migrated by GORM's
// AutoMigrate in the same database as the library's tables (which carry
// the library's prefix, so a model named Client does not meet the
// library's client accounts).
type Client struct {
	ID        int64     `gorm:"primaryKey" json:"id"`
	Name      string    `gorm:"not null" json:"name"`
	Email     string    `json:"email"`
	CreatedAt time.Time `json:"created_at"`
}

// Invoice is an invoice to a client; SentBy is the staff member who sent
// it, taken from the guard's identity.
type Invoice struct {
	ID          int64      `gorm:"primaryKey" json:"id"`
	ClientID    int64      `gorm:"index;not null" json:"client_id"`
	AmountCents int64      `gorm:"not null" json:"amount_cents"`
	Currency    string     `gorm:"not null" json:"currency"`
	Status      string     `gorm:"not null" json:"status"` // "draft", "sent"
	SentBy      int64      `json:"sent_by,omitempty"`
	SentAt      *time.Time `json:"sent_at,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
}

// maxBody bounds every JSON request body.
const maxBody = 64 << 10

func (a *App) listClients(w http.ResponseWriter, r *http.Request) {
	var out []Client
	if err := a.db.WithContext(r.Context()).Order("id").Limit(100).Find(&out).Error; err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (a *App) createClient(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name  string `json:"name"`
		Email string `json:"email"`
	}
	if !a.decode(w, r, &in) {
		return
	}
	if in.Name == "" || len(in.Name) > 200 || len(in.Email) > 254 {
		a.problems.WriteError(w, r, &rbac.ValidationError{Op: "create client", Fields: []rbac.FieldError{
			{Field: "name", Rule: "length", Message: "must be 1 to 200 characters"}}})
		return
	}
	c := Client{Name: in.Name, Email: in.Email}
	if err := a.db.WithContext(r.Context()).Create(&c).Error; err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, c)
}

func (a *App) listInvoices(w http.ResponseWriter, r *http.Request) {
	var out []Invoice
	if err := a.db.WithContext(r.Context()).Order("id").Limit(100).Find(&out).Error; err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (a *App) createInvoice(w http.ResponseWriter, r *http.Request) {
	var in struct {
		ClientID    int64  `json:"client_id"`
		AmountCents int64  `json:"amount_cents"`
		Currency    string `json:"currency"`
	}
	if !a.decode(w, r, &in) {
		return
	}
	var fe []rbac.FieldError
	if in.AmountCents <= 0 || in.AmountCents > 1e12 {
		fe = append(fe, rbac.FieldError{Field: "amount_cents", Rule: "range", Message: "must be 1 to 10^12"})
	}
	if len(in.Currency) != 3 {
		fe = append(fe, rbac.FieldError{Field: "currency", Rule: "format", Message: "must be an ISO 4217 code"})
	}
	if err := a.db.WithContext(r.Context()).Take(&Client{}, in.ClientID).Error; errors.Is(err, gorm.ErrRecordNotFound) {
		fe = append(fe, rbac.FieldError{Field: "client_id", Rule: "exists", Message: "is not a client"})
	} else if err != nil {
		a.fail(w, r, err)
		return
	}
	if len(fe) > 0 {
		a.problems.WriteError(w, r, &rbac.ValidationError{Op: "create invoice", Fields: fe})
		return
	}
	inv := Invoice{ClientID: in.ClientID, AmountCents: in.AmountCents, Currency: in.Currency, Status: "draft"}
	if err := a.db.WithContext(r.Context()).Create(&inv).Error; err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, inv)
}

// sendInvoice marks a draft invoice sent by the signed-in staff member:
// the handler reads the identity the guard found, it does not look it up
// again.
func (a *App) sendInvoice(w http.ResponseWriter, r *http.Request) {
	who, ok := httpauthz.StaffFrom(r.Context())
	if !ok { // cannot happen behind the guard
		a.problems.WriteError(w, r, httpauthz.ErrNoIdentity)
		return
	}
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil || id <= 0 {
		a.problems.WriteError(w, r, &rbac.ValidationError{Op: "send invoice", Fields: []rbac.FieldError{
			{Field: "id", Rule: "format", Message: "must be a positive integer"}}})
		return
	}
	now := time.Now().UTC()
	res := a.db.WithContext(r.Context()).Model(&Invoice{}).Where("id = ? AND status = ?", id, "draft").
		Updates(map[string]any{"status": "sent", "sent_by": int64(who), "sent_at": now})
	if res.Error != nil {
		a.fail(w, r, res.Error)
		return
	}
	if res.RowsAffected == 0 {
		a.problems.WriteError(w, r, rbac.ErrNotFound)
		return
	}
	var inv Invoice
	if err := a.db.WithContext(r.Context()).Take(&inv, id).Error; err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, inv)
}

func (a *App) decode(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		a.problems.WriteError(w, r, &rbac.ValidationError{Op: "decode", Fields: []rbac.FieldError{
			{Field: "body", Rule: "json", Message: "must be one JSON object of the documented fields"}}})
		return false
	}
	return true
}

// fail answers an unexpected error 500 and logs it; the body says nothing.
func (a *App) fail(w http.ResponseWriter, r *http.Request, err error) {
	a.log.Error("backoffice: request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	a.problems.WriteError(w, r, err)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
