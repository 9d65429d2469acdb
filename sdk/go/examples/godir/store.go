package main

// The directory itself: people in a JSON file, with a change log for delta import.

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"sync"
)

// Person is one object of the directory.
type Person struct {
	ID         string `json:"id"`
	CN         string `json:"cn"`
	Mail       string `json:"mail,omitempty"`
	Title      string `json:"title,omitempty"`
	Department string `json:"department,omitempty"`
	Active     bool   `json:"active"`
	Created    int64  `json:"created"` // the sequence number of the change that added it
}

// DN is the person's distinguished name.
func (p *Person) DN() string { return "CN=" + p.CN + ",OU=People,DC=godir" }

// Change is one entry of the change log.
type Change struct {
	Seq     int64  `json:"seq"`
	ID      string `json:"id"`
	Deleted bool   `json:"deleted,omitempty"`
}

// Store is the whole file.
type Store struct {
	Seq     int64              `json:"seq"`
	People  map[string]*Person `json:"people"`
	Changes []Change           `json:"changes"`
}

// fileLock serializes every read-modify-write of the file within the process (sessions of
// one connector process run concurrently).
var fileLock sync.Mutex

func load(path string, seed int) (*Store, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		st := &Store{People: map[string]*Person{}}
		for i := 1; i <= seed; i++ {
			st.Seq++
			p := &Person{
				ID: fmt.Sprintf("p%06d", i), CN: fmt.Sprintf("Person %d", i),
				Mail: fmt.Sprintf("person%d@godir.example", i), Title: "Engineer",
				Department: []string{"Sales", "Engineering", "Support"}[i%3], Active: i%5 != 0, Created: st.Seq,
			}
			st.People[p.ID] = p
			st.Changes = append(st.Changes, Change{Seq: st.Seq, ID: p.ID})
		}
		return st, save(path, st)
	}
	if err != nil {
		return nil, err
	}
	st := &Store{}
	if err := json.Unmarshal(data, st); err != nil {
		return nil, fmt.Errorf("%s is not a godir file: %w", path, err)
	}
	if st.People == nil {
		st.People = map[string]*Person{}
	}
	return st, nil
}

func save(path string, st *Store) error {
	data, err := json.MarshalIndent(st, "", " ")
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func (st *Store) sortedIDs() []string {
	ids := make([]string, 0, len(st.People))
	for id := range st.People {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

func (st *Store) byDN(dn string) *Person {
	for _, p := range st.People {
		if equalFold(p.DN(), dn) {
			return p
		}
	}
	return nil
}

func (st *Store) record(id string, deleted bool) {
	st.Seq++
	st.Changes = append(st.Changes, Change{Seq: st.Seq, ID: id, Deleted: deleted})
}
