package okta

import (
	"context"
)

// rawZone is one network zone of GET /api/v1/zones (listNetworkZones,
// scope okta.networkZones.read; NetworkZone id, name, type, status, usage).
type rawZone struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// networkZones reads the zone names so rule contexts name the zone
// ("outside zone Corporate HQ") instead of its id. It is best effort: the
// ids still say which zone a rule means, so an unreadable list is a
// warning, not a dataset failure.
func (r *run) networkZones(ctx context.Context) {
	names := map[string]string{}
	err := list(ctx, r.c, "/api/v1/zones?limit=200", func(z rawZone) {
		if z.ID != "" && z.Name != "" {
			names[z.ID] = z.Name
		}
	})
	if err != nil {
		r.warn("network zone names not read (" + err.Error() + "; needs " + neededFor("/api/v1/zones") + "): rule contexts name zones by id")
		return
	}
	if len(names) > 0 {
		r.zoneNames = names
	}
}
