package main

// Until the library's tables carry their prefix, the back office's own
// tables take names of their own.
func (Client) TableName() string  { return "bo_clients" }
func (Invoice) TableName() string { return "bo_invoices" }
