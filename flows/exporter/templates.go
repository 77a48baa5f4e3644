package exporter

import (
	"maps"
	"net/netip"

	"github.com/netsampler/goflow2/v2/decoders/netflow"
)

// exporterKey names one exporter whose v9/IPFIX state a Decoder keeps:
// its address, and for IPFIX its source port (the transport session).
type exporterKey struct {
	addr netip.Addr
	port uint16 // 0 for NetFlow v9
}

// domainKey names one observation domain (v9 Source ID) of an exporter.
type domainKey struct {
	version uint16
	domain  uint32
}

// exporterState is what a collector keeps of one exporter: its templates
// (it is goflow2's template system for the exporter's datagrams), and
// what its options data records said of each domain. goflow2's own
// BasicTemplateSystem keeps any template it is given, and its data set
// decoder then loops for ever on a template whose fields take no bytes,
// and makes a value for every field of every record, so that many fields
// of length 0 beside one of length 1 make a datagram of 64 KiB cost
// minutes and gigabytes. This one keeps no template with a field of
// length 0 (a length no Information Element has: RFC 7011 section 7
// lets reduced-size encoding shorten a field, not to nothing, and a
// variable-length one is 65535): such a template is refused, and one of
// no fields is a withdrawal (RFC 7011 section 8.1).
type exporterState struct {
	templates netflow.FlowBaseTemplateSet
	// sampling is the packet sampling rate (1 in N) the options data
	// records last gave; initTime systemInitTimeMilliseconds (IE 160), in
	// ns since the epoch, which IPFIX's flowStart/EndSysUpTime (IE 22,
	// 21) count from.
	sampling map[domainKey]uint32
	initTime map[domainKey]int64
	stats    *Stats
}

// exporter returns the state of the exporter k, made on first use; nil
// when the Decoder already has MaxExporters.
func (d *Decoder) exporter(k exporterKey) *exporterState {
	if e := d.exporters[k]; e != nil {
		return e
	}
	if len(d.exporters) >= MaxExporters {
		return nil
	}
	e := &exporterState{
		templates: make(netflow.FlowBaseTemplateSet),
		sampling:  make(map[domainKey]uint32),
		initTime:  make(map[domainKey]int64),
		stats:     &d.stats,
	}
	d.exporters[k] = e
	return e
}

// templateKey is goflow2's key of a template: version, domain, ID.
func templateKey(version uint16, domain uint32, id uint16) uint64 {
	return uint64(version)<<48 | uint64(domain)<<16 | uint64(id)
}

// templateFields returns the fields a template describes (an options
// template's scopes and options).
func templateFields(t any) (a, b []netflow.Field) {
	switch t := t.(type) {
	case netflow.TemplateRecord:
		return t.Fields, nil
	case netflow.NFv9OptionsTemplateRecord:
		return t.Scopes, t.Options
	case netflow.IPFIXOptionsTemplateRecord:
		return t.Scopes, t.Options
	}
	return nil, nil
}

// hasEmptyField reports whether a template has a field of length 0.
func hasEmptyField(t any) bool {
	a, b := templateFields(t)
	for _, fs := range [][]netflow.Field{a, b} {
		for _, f := range fs {
			if f.Length == 0 {
				return true
			}
		}
	}
	return false
}

// AddTemplate stores a template (goflow2 calls it for each template
// record it decodes). A template of no fields withdraws the template of
// its ID, and in IPFIX the IDs 2 and 3 withdraw all templates, or all
// options templates, of the domain (RFC 7011 section 8.1). A template
// with a field of length 0 is refused, and the template of its ID
// dropped. It never fails: an error would end the datagram's decoding.
func (e *exporterState) AddTemplate(version uint16, domain uint32, id uint16, t any) error {
	key := templateKey(version, domain, id)
	a, b := templateFields(t)
	switch {
	case len(a)+len(b) == 0:
		e.stats.Withdrawals++
		if version == 10 && (id == 2 || id == 3) {
			for k, old := range e.templates {
				if k>>16 != key>>16 {
					continue
				}
				_, isOptions := old.(netflow.IPFIXOptionsTemplateRecord)
				if isOptions == (id == 3) {
					delete(e.templates, k)
				}
			}
			return nil
		}
		delete(e.templates, key)
		return nil
	case hasEmptyField(t):
		e.stats.BadTemplates++
		delete(e.templates, key)
		return nil
	}
	if _, ok := e.templates[key]; !ok && len(e.templates) >= MaxTemplates {
		e.stats.TemplatesRefused++
		return nil
	}
	e.templates[key] = t
	e.stats.Templates++
	return nil
}

// GetTemplate returns a stored template, or netflow.ErrorTemplateNotFound.
func (e *exporterState) GetTemplate(version uint16, domain uint32, id uint16) (any, error) {
	if t, ok := e.templates[templateKey(version, domain, id)]; ok {
		return t, nil
	}
	return nil, netflow.ErrorTemplateNotFound
}

// RemoveTemplate deletes a stored template and returns it, or
// netflow.ErrorTemplateNotFound.
func (e *exporterState) RemoveTemplate(version uint16, domain uint32, id uint16) (any, error) {
	key := templateKey(version, domain, id)
	if t, ok := e.templates[key]; ok {
		delete(e.templates, key)
		return t, nil
	}
	return nil, netflow.ErrorTemplateNotFound
}

// GetTemplates returns a copy of the stored templates.
func (e *exporterState) GetTemplates() netflow.FlowBaseTemplateSet { return maps.Clone(e.templates) }

var _ netflow.NetFlowTemplateSystem = (*exporterState)(nil)
