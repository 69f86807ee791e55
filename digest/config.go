package digest

import (
	"github.com/baobot/baobot/config"
	"github.com/baobot/baobot/digest/schedule"
)

// OptionsFrom returns the Options the [digest] section of the configuration
// asks for: default zone and max, post_empty, max_attempts and the
// [[digest.subscription]] tables. Clock, Logger and the back-off are left
// for the caller. A bad zone is a *schedule.Error (config.Validate refuses
// it first).
func OptionsFrom(c config.Digest) (Options, error) {
	zone, err := schedule.LoadZone(c.Timezone)
	if err != nil {
		return Options{}, err
	}
	opts := Options{Zone: zone, DefaultMax: c.DefaultMax, PostEmpty: c.PostEmpty, MaxAttempts: c.MaxAttempts}
	for _, s := range c.Subscriptions {
		opts.Config = append(opts.Config, Subscription{
			Channel: s.Channel, Schedule: s.Schedule, Timezone: s.Timezone, Max: s.Max, Lang: s.Lang,
		})
	}
	return opts, nil
}
