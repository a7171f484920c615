package oktatest

import (
	"fmt"
	"time"
)

// Mutations change the org between two collections the way an admin or a
// user would, and write the System Log event Okta would write for each
// (event types from Okta's event types catalogue). Factor changes leave the
// user's lastUpdated alone, so a connector must find them in the log;
// lifecycle changes update it too.

const logTime = "2006-01-02T15:04:05.000Z"

// LogEvent appends a System Log event published at at, with actor and
// targets as {id, type} pairs (type User, AuthenticatorEnrollment,
// UserGroup, PolicyEntity…). It returns the event's uuid.
func (s *Server) LogEvent(at time.Time, eventType string, actor Object, targets ...Object) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.logEvent(at, eventType, actor, targets...)
}

func (s *Server) logEvent(at time.Time, eventType string, actor Object, targets ...Object) string {
	s.eventSeq++
	id := fmt.Sprintf("0b5e7a1e-0000-4000-8000-%012d", s.eventSeq)
	tg := make([]any, 0, len(targets))
	for _, t := range targets {
		tg = append(tg, t)
	}
	s.org.Logs = append(s.org.Logs, Object{
		"uuid": id, "published": at.UTC().Format(logTime), "eventType": eventType, "version": "0",
		"severity": "INFO", "displayMessage": eventType, "actor": actor, "target": tg,
		"outcome":     Object{"result": "SUCCESS"},
		"client":      Object{"ipAddress": "198.51.100.7"},
		"transaction": Object{"type": "WEB", "id": id}, "debugContext": Object{"debugData": Object{}},
	})
	return id
}

// Principal is an actor or target of a log event.
func Principal(id, typ string) Object {
	return Object{"id": id, "type": typ, "alternateId": id, "displayName": id}
}

func (s *Server) touch(userID string, at time.Time) {
	if u := s.user(userID); u != nil {
		u["lastUpdated"] = at.UTC().Format(logTime)
		s.usersVersion++
	}
}

// EnrollFactor adds an ACTIVE factor to a user (self-service enrolment:
// the user is actor and target).
func (s *Server) EnrollFactor(at time.Time, userID string, factor Object) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.org.Factors[userID] = append(s.org.Factors[userID], factor)
	s.logEvent(at, "user.mfa.factor.activate", Principal(userID, "User"), Principal(userID, "User"), Principal(str(factor["id"]), "AuthenticatorEnrollment"))
}

// ResetFactors removes every factor of a user, by an admin.
func (s *Server) ResetFactors(at time.Time, adminID, userID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.org.Factors[userID] = []Object{}
	s.logEvent(at, "user.mfa.factor.reset_all", Principal(adminID, "User"), Principal(userID, "User"))
}

// DeactivateFactor removes one factor of a user (self-service).
func (s *Server) DeactivateFactor(at time.Time, userID, factorID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var kept []Object
	for _, f := range s.org.Factors[userID] {
		if f["id"] != factorID {
			kept = append(kept, f)
		}
	}
	s.org.Factors[userID] = nonNil(kept)
	s.logEvent(at, "user.mfa.factor.deactivate", Principal(userID, "User"), Principal(userID, "User"), Principal(factorID, "AuthenticatorEnrollment"))
}

// CreateUser adds a generated ACTIVE user (see AddUsers) created at at,
// and returns its id.
func (s *Server) CreateUser(at time.Time, adminID string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := len(s.org.Users)
	u := genUser(i)
	id := u["id"].(string)
	u["created"], u["lastUpdated"] = at.UTC().Format(logTime), at.UTC().Format(logTime)
	s.org.Users = append(s.org.Users, u)
	s.usersVersion++
	s.org.Factors[id] = genFactors(i, id)
	s.logEvent(at, "user.lifecycle.create", Principal(adminID, "User"), Principal(id, "User"))
	return id
}

// Deprovision deactivates a user (status DEPROVISIONED).
func (s *Server) Deprovision(at time.Time, adminID, userID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u := s.user(userID); u != nil {
		u["status"] = "DEPROVISIONED"
		s.usersVersion++
	}
	s.touch(userID, at)
	s.logEvent(at, "user.lifecycle.deactivate", Principal(adminID, "User"), Principal(userID, "User"))
}

// AddToGroup and RemoveFromGroup change a group's members.
func (s *Server) AddToGroup(at time.Time, adminID, groupID, userID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !contains(s.org.GroupMembers[groupID], userID) {
		s.org.GroupMembers[groupID] = append(s.org.GroupMembers[groupID], userID)
	}
	s.logEvent(at, "group.user_membership.add", Principal(adminID, "User"), Principal(userID, "User"), Principal(groupID, "UserGroup"))
}

// RemoveFromGroup: see AddToGroup.
func (s *Server) RemoveFromGroup(at time.Time, adminID, groupID, userID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var kept []string
	for _, id := range s.org.GroupMembers[groupID] {
		if id != userID {
			kept = append(kept, id)
		}
	}
	s.org.GroupMembers[groupID] = kept
	s.logEvent(at, "group.user_membership.remove", Principal(adminID, "User"), Principal(userID, "User"), Principal(groupID, "UserGroup"))
}
