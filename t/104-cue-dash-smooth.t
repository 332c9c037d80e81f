#!/usr/bin/perl

# Copyright (C) 2026, The Sluice authors.
#
# Cues in DASH, CMAF segments and Smooth (issue 13): the suite's own RTMP
# client (t/lib/Sluice/RTMP.pm) publishes an ffmpeg-made FLV's tags in
# real time with, among them, an onAdCue in AMS's simple mode, an onAdCue
# in SCTE-35 mode (a splice_info_section built here), an onUserDataEvent
# (ID3 scheme) and an onCuePoint with the splice in.  While it runs,
# Shaka Player and dash.js play the preview's MPD in headless Chromium;
# then:
#
#  - the MPD: period-level EventStreams (urn:scte:scte35:2014:xml+bin
#    value "scte35", urn:com:adobe:dpi:simple:2015 value "simplesignal",
#    the ID3 scheme), each Event at its time on the media timeline
#    (within one fragment of where it was sent, relative to the first
#    segment), with its id and duration, the scte35:Binary the section
#    sent; InbandEventStream on the video AdaptationSet only;
#  - the emsg boxes of every video segment, read by a parser written here
#    from ISO/IEC 23009-1 5.10.3.3: after the styp, before the moof, each
#    cue once, in the segment its presentation_time falls in, scheme,
#    id, presentation time as in the MPD, message the section (simple
#    mode: a splice_insert with its id) or an ID3 tag with the text; none
#    in audio segments; HEAD, Content-Length and ranges across the boxes;
#    the HLS fMP4 segment the same bytes;
#  - the Smooth manifest's sparse track (its chunks' <f>) and its
#    fragments (moof with tfxd at the chunk's time, mdat the sample);
#  - the players raised the events: Shaka 'timelineregionadded' for the
#    MPD's events and 'emsg' for the in-band ones; dash.js its events of
#    the xml+bin scheme and of the in-band SCTE-35; dash.js's Smooth
#    support plays the manifest with the sparse track;
#  - a live output recorded it all: the streaming locators' segments (the
#    asset's files, read in the thread pool) carry the same emsg boxes,
#    with 'cenc' too, clear, before an encrypted moof (senc), and the
#    Smooth sparse fragments are the preview's.

use strict;
use warnings;

use Test::More;
use MIME::Base64 qw(encode_base64 decode_base64);
use JSON::PP ();
use POSIX ();
use Time::HiRes qw(time sleep);

use FindBin;
use lib "$FindBin::Bin/lib";
use Test::Sluice;
use Sluice::RTMP;
use Sluice::Players;
use Sluice::Playback;
use Sluice::Ingest qw(fixture);

my $t = Test::Sluice->new();
$t->has_program('ffmpeg');

Sluice::Playback::config($t);
$t->run();

my $BASE = 5000;            # ms: the publisher's first timestamp
my $FRAG = 2000;            # keyFrameIntervalDuration PT2S
my $ID3 = 'https://aomedia.org/emsg/ID3';
my %reaped;

my $token = 'd' x 32;
my $ev = $t->create_live_event('cuedash', token => $token);
ok($ev, 'live event running') or BAIL_OUT(log_tail());
my $loc = $ev->{properties}{preview}{previewLocator};
my $base = "/$loc/preview.ism";

# a live output records it; a clear and a 'cenc' streaming locator

ok(Sluice::Playback::start_endpoint($t, 'default'), 'default endpoint runs');

my $r0 = $t->api(PUT => 'contentKeyPolicies/ckOpen', { properties => {
    options => [ { name => 'clearKey', configuration => {
        '@odata.type' => '#Microsoft.Media.ContentKeyPolicyClearKeyConfiguration' },
        restriction => {
        '@odata.type' => '#Microsoft.Media.ContentKeyPolicyOpenRestriction' } } ] } });
$r0 = $t->api(PUT => 'streamingPolicies/cenc', { properties => {
    defaultContentKeyPolicyName => 'ckOpen',
    commonEncryptionCenc => {
        enabledProtocols => { download => JSON::PP::false(),
            dash => JSON::PP::true(), hls => JSON::PP::false(),
            smoothStreaming => JSON::PP::true() },
        contentKeys => { defaultKey => { label => 'cencKey' } } } } });
is($r0->{status}, 201, 'streaming policy cenc') or diag($r0->{body});

my $encp = Sluice::Playback::record($t, 'cuedash', 'rec', 'cueasset', 'enc',
    manifestName => 'rec', policy => 'cenc');
my $clearp = Sluice::Playback::locator($t, 'clear', 'cueasset');
my ($enc_mpd) = grep { /format=mpd-time-csf,encryption=cenc/ }
    @{ $encp->{Dash} // [] };
my ($clear_mpd) = grep { /format=mpd-time-csf/ } @{ $clearp->{Dash} // [] };
my ($enc_base) = ($enc_mpd // '') =~ m{^(.*?\.ism)/};
my ($clear_base) = ($clear_mpd // '') =~ m{^(.*?\.ism)/};
ok($enc_base && $clear_base, "locators: $enc_base, $clear_base")
    or diag(explain($encp, $clearp));

my $av = fixture('av', duration => 48, gop => 2, size => '320x180',
    vbitrate => '300k', abitrate => '64k');
my @tags = grep { $_->{type} == 8 || $_->{type} == 9 }
    Sluice::RTMP::flv_tags($av);

###############################################################################
# the data messages (times: ms after the first frame)

sub at { $BASE + $_[0] }
sub secs { \(at($_[0]) / 1000) }
sub data { [ 18, at($_[0]), Sluice::RTMP::amf0_encode(@_[1 .. $#_]) ] }

my $s_out = splice_insert(id => 2002, out => 1, pts => at(28000) * 90,
    dur => 8000);
my $s_in = splice_insert(id => 3003, out => 0, pts => at(36000) * 90);

my @msgs = (
    data(26000, 'onAdCue', { type => 'SpliceOut', id => '1001',
        duration => \10, time => secs(26000) }),
    data(28000, 'onAdCue', { type => 'scte35', id => '2002',
        cue => encode_base64($s_out, ''), duration => \8,
        time => secs(28000) }),
    data(30000, 'onUserDataEvent', event_stream(id => '4004',
        time => at(30000), text => 'hello cue')),
    data(36000, 'onCuePoint', { name => 'scte35', type => 'event',
        time => secs(36000), parameters => { id => '3003',
        duration => '0', cue => encode_base64($s_in, '') } }),
);

# what each cue must be: its time after the first frame, duration (ms);
# late in the stream, so that players started on a loaded machine are
# playing before the segments that carry them
my %want = (
    1001 => { at => 26000, dur => 10000 },
    2002 => { at => 28000, dur => 8000, section => $s_out },
    4004 => { at => 30000, dur => 0, text => 'hello cue' },
    3003 => { at => 36000, dur => 0, section => $s_in },
);

my @list = sort { $a->[1] <=> $b->[1] }
    (@msgs, map { [ $_->{type}, at($_->{ts}), $_->{data} ] } @tags);

###############################################################################
# publish; players start once the MPD has media.  Shaka and dash.js play
# until 3 s after the publisher has sent everything (the mark file): the
# cues are then behind their playhead and in the MPD they loaded.  A
# fixed 24 s of playback ended before that when the browser started in
# a second or two: Shaka raises 'emsg' only when its playhead enters the
# event (RegionObserver 'enter'), and had not yet loaded the MPD with
# 3003 (published at 36 s); a browser slow to start on a loaded machine
# (10-20 s) hid it.

my $pid = publish_bg(\@list);

ok($t->wait_for(sub {
    my $m = $t->get("$base/manifest(format=mpd-time-csf)");
    return $m->{status} == 200 && $m->{body} =~ /<S t="\d+" d="\d+" r="1"/;
}, timeout => 20), 'the MPD has media') or diag(log_tail());

my $why = Sluice::Players::not_ready()
    // ($ENV{SLUICE_SANITIZE} ? 'the sanitizer pass leaves the browser '
        . 'players to the normal one (build.sh)' : undef);
my $sent = $t->testdir . '/all-sent';
my @players;

unless ($why) {
    my $http = 'http://127.0.0.1:' . $t->port(8080);
    @players = ((map { Sluice::Players::play_start($t, $_->[0],
        "$http$base/$_->[1]", seconds => 3, start_mark => $sent,
        timeout => 110) }
        [ 'shaka', 'manifest(format=mpd-time-cmaf).mpd' ],
        [ 'dash', 'manifest(format=mpd-time-csf).mpd' ]));

    # dash.js's Smooth player once the manifest holds 5 fragments: it
    # sizes its buffer from the timeline it loads (MssParser: the live
    # delay at most half the timeline, the buffer target that minus 1.5
    # fragments), and with 2 or 3 fragments (4-6 s) the target is 0 or
    # less: it fetches no video at all.  From 10 s of timeline, its 24 s
    # of play run past the live edge on the tfrf boxes alone.
    Sluice::Playback::wait_fragments($t, "$base/manifest", 5, timeout => 30);
    push @players, Sluice::Players::play_start($t, 'mss',
        "$http$base/manifest", seconds => 24, timeout => 100);
}

my $status = wait_pid($pid, 100);
is($status, 0, 'published tags and data messages') or diag(log_tail());
$t->write_file('all-sent', '');

###############################################################################
# the MPD

my $mpd = $t->get("$base/manifest(format=mpd-time-csf)")->{body};
my ($ts, $t0) = $mpd =~ /contentType="video".*?<SegmentTemplate timescale="(\d+)".*?<S t="(\d+)"/s;
ok($ts && defined $t0, "video timeline: first segment at $t0/$ts")
    or BAIL_OUT($mpd);

is(scalar(() = $mpd =~ /<Period /g), 1, 'one Period');
unlike($mpd, qr/presentationTimeOffset/, 'at 0: no presentationTimeOffset');

my %streams;
while ($mpd =~ m{<EventStream schemeIdUri="([^"]+)"(?: value="([^"]*)")? timescale="(\d+)">(.*?)</EventStream>}sg) {
    my ($scheme, $value, $scale, $body) = ($1, $2 // '', $3, $4);
    while ($body =~ m{<Event presentationTime="(\d+)"(?: duration="(\d+)")? id="(\d+)"(?: contentEncoding="base64")?(?:/>|>(.*?)</Event>)}sg) {
        my ($pt, $d, $id, $in) = ($1, $2 // 0, $3, $4 // '');
        my ($bin) = $in =~ m{<scte35:Binary>([^<]+)</scte35:Binary>};
        $streams{$scheme}{value} = $value;
        $streams{$scheme}{events}{$id} = { time => $pt / $scale,
            dur => $d / $scale, bin => $bin, text => $in };
    }
}

my $xb = $streams{'urn:scte:scte35:2014:xml+bin'} // {};
my $simple = $streams{'urn:com:adobe:dpi:simple:2015'} // {};
my $meta = $streams{$ID3} // {};

is($xb->{value} // '', 'scte35', 'xml+bin EventStream, value "scte35"');
is(join(',', sort keys %{$xb->{events}}), '2002,3003',
    'xml+bin: the two SCTE-35 cues');
is($simple->{value} // '', 'simplesignal', 'simple mode EventStream');
is(join(',', sort keys %{$simple->{events}}), '1001',
    'simple mode: its cue, an empty Event')
    and is($simple->{events}{1001}{text}, '', 'no payload');
is(join(',', sort keys %{$meta->{events}}), '4004', 'ID3 EventStream');
is(decode_base64($meta->{events}{4004}{text} // ''), 'hello cue',
    'ID3 event: the data sent, base64');

my %mpd_time;
for my $s ($xb, $simple, $meta) {
    for my $id (keys %{$s->{events}}) {
        my $e = $s->{events}{$id};
        my $rel = ($e->{time} - $t0 / $ts) * 1000;
        $mpd_time{$id} = $e->{time};
        ok(abs($rel - $want{$id}{at}) <= $FRAG,
            "MPD event $id at ${rel} ms of the media, sent at $want{$id}{at}");
        is($e->{dur} * 1000, $want{$id}{dur}, "MPD event $id duration");
    }
}

for my $id (2002, 3003) {
    is(unpack('H*', decode_base64($xb->{events}{$id}{bin} // '')),
        unpack('H*', $want{$id}{section}),
        "MPD event $id: scte35:Binary is the section sent");
}

my ($vset) = $mpd =~ /(<AdaptationSet[^>]*contentType="video".*?<\/AdaptationSet>)/s;
my ($aset) = $mpd =~ /(<AdaptationSet[^>]*contentType="audio".*?<\/AdaptationSet>)/s;
like($vset // '', qr{<InbandEventStream schemeIdUri="urn:scte:scte35:2013:bin" value=""/>\s*<InbandEventStream schemeIdUri="\Q$ID3\E" value=""/>},
    'video AdaptationSet: InbandEventStream of SCTE-35 and ID3');
unlike($aset // '', qr/InbandEventStream/, 'audio: none (no duplicates)');

###############################################################################
# the emsg boxes of the segments

my ($bw) = $vset =~ /<Representation id="video_(\d+)"/;
my @vsegs = timeline($vset);
my ($abw) = $aset =~ /<Representation id="audio_(\d+)"/;
my @asegs = timeline($aset);

ok(@vsegs >= 15, scalar(@vsegs) . ' video segments');

my (%emsg, $bad, $with);

for my $s (@vsegs) {
    my $r = $t->get("$base/QualityLevels($bw)/Fragments(video=$s->[0],"
                    . "format=mpd-time-csf)");
    my ($boxes, $err) = boxes($r->{body});

    if ($r->{status} != 200 || $err) {
        $bad = "segment $s->[0]: $r->{status} " . ($err // '');
        last;
    }

    my @types = map { $_->{type} } @$boxes;
    my $order = join(' ', @types);

    next unless grep { $_ eq 'emsg' } @types;

    $with //= $s;

    unless ($order =~ /^styp (emsg )+moof mdat$/) {
        $bad = "segment $s->[0]: boxes $order";
        last;
    }

    for my $b (grep { $_->{type} eq 'emsg' } @$boxes) {
        my $e = emsg($b->{body});
        unless ($e) {
            $bad = "segment $s->[0]: a bad emsg";
            last;
        }
        $e->{segment} = $s;
        push @{$emsg{$e->{id}}}, $e;
    }
}

ok(!$bad, 'video segments: styp, emsg boxes, moof, mdat') or diag($bad);
is(join(',', sort keys %emsg), '1001,2002,3003,4004', 'an emsg per cue')
    or diag(explain(\%emsg));
is(join(',', map { scalar @{$emsg{$_}} } sort keys %emsg), '1,1,1,1',
    'each once');

for my $id (sort keys %emsg) {
    my $e = $emsg{$id}[0];
    my $s = $e->{segment};
    my $scheme = $id == 4004 ? $ID3 : 'urn:scte:scte35:2013:bin';

    is("$e->{version} $e->{scheme} '$e->{value}' $e->{timescale}",
        "1 $scheme '' $ts", "emsg $id: version 1, scheme, value, timescale");
    ok($e->{time} >= $s->[0] && $e->{time} < $s->[0] + $s->[1],
        "emsg $id: in the segment its time falls in");
    ok(abs($e->{time} / $ts - $mpd_time{$id}) < 0.001,
        "emsg $id: at the MPD event's time");
    is($e->{duration}, $want{$id}{dur} ? $want{$id}{dur} * $ts / 1000
                                       : 0xFFFFFFFF,
        "emsg $id: duration");

    if ($want{$id}{section}) {
        is(unpack('H*', $e->{message}), unpack('H*', $want{$id}{section}),
            "emsg $id: the section sent");

    } elsif ($id == 1001) {
        my $si = parse_section($e->{message});
        is(join(',', map { $_ // '-' } @$si{qw(crc type event out dur)}),
            'ok,5,1001,1,900000', 'emsg 1001: the splice_insert made');

    } else {
        my $f = id3_frames($e->{message});
        is($f->{TXXX} // '', "\x03\x00hello cue",
            'emsg 4004: an ID3 tag, TXXX with the text');
    }
}

my $anyemsg = 0;
for my $s (@asegs) {
    my $r = $t->get("$base/QualityLevels($abw)/Fragments(audio=$s->[0],"
                    . "format=mpd-time-csf)");
    $anyemsg++ if $r->{body} =~ /^.{0,64}emsg/s;
}
is($anyemsg, 0, 'audio segments: no emsg');

# HTTP on a segment with emsg boxes: HEAD, length, ranges

SKIP: {
    skip 'no segment with emsg', 6 unless $with;

    my $u = "$base/QualityLevels($bw)/Fragments(video=$with->[0],"
            . "format=mpd-time-csf)";
    my $full = $t->get($u);
    my $head = $t->head($u);

    is($full->{headers}{'content-length'}, length $full->{body},
        'Content-Length counts the emsg boxes');
    is($head->{headers}{'content-length'}, length $full->{body}, 'HEAD too');

    my $r = $t->get($u, headers => { Range => 'bytes=10-99' });
    is($r->{status}, 206, 'a range across styp and emsg: 206');
    is($r->{body}, substr($full->{body}, 10, 90), 'its bytes');

    $r = $t->get($u, headers => { Range => 'bytes=-100' });
    is($r->{body}, substr($full->{body}, -100), 'the last 100 bytes');

    my $hls = $t->get("$base/QualityLevels($bw)/Fragments(video="
                      . "$with->[0],format=m3u8-cmaf)");
    is($hls->{body}, $full->{body}, 'HLS fMP4: the same segment');
}

###############################################################################
# the recording: the locators' segments

SKIP: {
    skip 'no segment with emsg', 9 unless $with && $enc_base;

    my $pre = $t->get("$base/QualityLevels($bw)/Fragments(video="
                      . "$with->[0],format=mpd-time-csf)")->{body};
    my $clear = $t->get("$clear_base/QualityLevels($bw)/Fragments(video="
                        . "$with->[0],format=mpd-time-csf)");
    is($clear->{status}, 200, 'clear locator: the segment');
    is(unpack('H*', $clear->{body}), unpack('H*', $pre),
        'clear locator: the preview\'s bytes, emsg boxes included');

    my $enc = $t->get("$enc_base/QualityLevels($bw)/Fragments(video="
                      . "$with->[0],format=mpd-time-csf,encryption=cenc)");
    my ($eb) = boxes($enc->{body});
    my ($cb) = boxes($pre);
    my @et = map { $_->{type} } @{$eb // []};

    is($enc->{status}, 200, 'cenc locator: the segment');
    like(join(' ', @et), qr/^styp (emsg )+moof mdat$/,
        'cenc: styp, emsg boxes, moof, mdat');
    is(join('|', map { unpack('H*', $_->{body}) }
                 grep { $_->{type} eq 'emsg' } @{$eb // []}),
       join('|', map { unpack('H*', $_->{body}) }
                 grep { $_->{type} eq 'emsg' } @{$cb // []}),
       'cenc: the emsg boxes clear, as in the clear segment');

    my ($moof) = grep { $_->{type} eq 'moof' } @{$eb // []};
    my ($traf) = grep { $_->{type} eq 'traf' }
        @{ (boxes($moof ? $moof->{body} : ''))[0] // [] };
    my @tb = map { $_->{type} }
        @{ (boxes($traf ? $traf->{body} : ''))[0] // [] };
    ok((grep { $_ eq 'senc' } @tb), 'cenc: the moof has its senc');

    my ($em) = grep { $_->{type} eq 'mdat' } @{$eb // []};
    my ($cm) = grep { $_->{type} eq 'mdat' } @{$cb // []};
    ok($em && $cm && length $em->{body} == length $cm->{body}
       && $em->{body} ne $cm->{body}, 'cenc: the samples encrypted');

    my $mpd2 = $t->get($clear_mpd)->{body};
    like($mpd2, qr{contentType="video".*?<InbandEventStream schemeIdUri="urn:scte:scte35:2013:bin" value=""/>}s,
        'locator MPD: InbandEventStream');

    my $encm = $t->get($enc_mpd)->{body};
    like($encm, qr{<ContentProtection.*?<InbandEventStream }s,
        'cenc MPD: InbandEventStream after the ContentProtection');
}

###############################################################################
# Smooth: the sparse track and its fragments

my $ism = $t->get("$base/manifest")->{body};
my ($sparse) = $ism =~ m{(<StreamIndex Type="text" Name="scte35".*?</StreamIndex>)}s;
ok($sparse, 'Smooth: the sparse text StreamIndex') or diag($ism);
like($sparse // '', qr{Subtype="DATA" Chunks="3" QualityLevels="1" ParentStreamIndex="video" ManifestOutput="TRUE" Url="QualityLevels\(\{bitrate\}\)/Fragments\(scte35=\{start time\}\)"},
    'Subtype DATA, ParentStreamIndex video, ManifestOutput');
like($sparse // '', qr{<Attribute Name="Scheme" Value="urn:scte:scte35:2013:bin"/>},
    'Scheme urn:scte:scte35:2013:bin');

my ($vt0) = $ism =~ m{<StreamIndex Type="video".*?<c t="(\d+)"}s;
my %chunks;

while (($sparse // '') =~ m{<c t="(\d+)"(?: d="(\d+)")?><f>([^<]+)</f></c>}g) {
    my ($ct, $cd, $f) = ($1, $2 // 0, decode_base64($3));
    my ($ver, $id, $delta) = unpack('N N N', $f);
    $chunks{$id} = { t => $ct, d => $cd, version => $ver, delta => $delta,
                     sample => $f, section => substr($f, 12) };
}

is(join(',', sort keys %chunks), '1001,2002,3003', 'Smooth: a chunk per ad marker');

for my $id (sort keys %chunks) {
    my $c = $chunks{$id};
    my $rel = ($c->{t} - $vt0) / 10000;

    ok(abs($rel - $want{$id}{at}) <= $FRAG,
        "Smooth chunk $id at $rel ms of the media");
    is("$c->{version} $c->{delta} $c->{d}",
        "1 0 " . $want{$id}{dur} * 10000, "Smooth chunk $id: sample header, d");

    if ($want{$id}{section}) {
        is(unpack('H*', $c->{section}), unpack('H*', $want{$id}{section}),
            "Smooth chunk $id: the section sent");
    }

    my $r = $t->get("$base/QualityLevels(0)/Fragments(scte35=$c->{t})");
    my ($boxes, $err) = boxes($r->{body});
    my %b = map { $_->{type} => $_ } @{$boxes // []};

    is($r->{status} . ' ' . join(' ', map { $_->{type} } @{$boxes // []}),
        '200 moof mdat', "Smooth fragment $id: moof, mdat");
    is($b{mdat}{body} // '', $c->{sample}, "Smooth fragment $id: the sample");
    is(tfxd_time($b{moof}{body} // ''), $c->{t},
        "Smooth fragment $id: tfxd at the chunk's time");
}

is($t->get("$base/QualityLevels(0)/Fragments(scte35=12345)")->{status},
    404, 'Smooth: no sparse fragment at another time');

for my $id (sort keys %chunks) {
    my $u = "QualityLevels(0)/Fragments(scte35=$chunks{$id}{t})";
    my $pre = $t->get("$base/$u")->{body};
    my $rec = $t->get("$clear_base/$u");

    is($rec->{status} . ' ' . unpack('H*', $rec->{body}),
        '200 ' . unpack('H*', $pre),
        "Smooth fragment $id from the recording: the preview's");
}

###############################################################################
# the players

SKIP: {
    skip "players: $why", 7 if $why;

    my ($shaka, $dash, $mss) = map { Sluice::Players::play_finish($_) }
        @players;

    ok($shaka->{ok}, 'Shaka played the live MPD')
        or diag(Sluice::Players::json($shaka));

    my @se = @{ $shaka->{info}{events} // [] };
    my %region = map { ($_->{scheme} // '') . " $_->{id}" => $_ }
        grep { $_->{type} eq 'region' } @se;
    my %inband = map { ($_->{scheme} // '') . " $_->{id}" => $_ }
        grep { $_->{type} eq 'emsg' } @se;

    ok($region{'urn:scte:scte35:2014:xml+bin 2002'}
       && $region{'urn:scte:scte35:2014:xml+bin 3003'}
       && $region{'urn:com:adobe:dpi:simple:2015 1001'}
       && $region{"$ID3 4004"},
       'Shaka: timelineregionadded for every MPD event')
        or diag("Shaka at $shaka->{currentTime}: "
                . Sluice::Players::json(\@se));
    is(unpack('H*', decode_base64(
        ($region{'urn:scte:scte35:2014:xml+bin 2002'} // {})->{data} // '')),
        unpack('H*', $s_out), 'Shaka: its scte35:Binary');
    ok($inband{'urn:scte:scte35:2013:bin 2002'} && $inband{"$ID3 4004"},
       'Shaka: emsg events of the in-band SCTE-35 and ID3')
        or diag("Shaka at $shaka->{currentTime} (it raises 'emsg' when "
                . 'its playhead enters the event): '
                . Sluice::Players::json(\@se));
    is(unpack('H*', decode_base64(
        ($inband{'urn:scte:scte35:2013:bin 2002'} // {})->{data} // '')),
        unpack('H*', $s_out), 'Shaka: the emsg message is the section');

    my @de = @{ $dash->{info}{events} // [] };
    my %dev = map { ($_->{scheme} // '') . " $_->{id}" => $_ } @de;
    ok($dev{'urn:scte:scte35:2014:xml+bin 2002'}
       && $dev{'urn:scte:scte35:2013:bin 2002'},
       'dash.js: the MPD event and the in-band one')
        or diag(Sluice::Players::json($dash));

    # dash.js's Smooth player extends its timeline from the tfrf boxes
    # only (it never reloads the manifest): it plays on past the live edge
    # as the newest fragment's answer waits for the one after it
    ok($mss->{ok}, 'dash.js plays the Smooth manifest with its sparse track')
        or diag(Sluice::Players::json($mss));
}

done_testing();

###############################################################################

# [t, d] of each <S> of the first SegmentTimeline in $set

sub timeline {
    my ($set) = @_;

    my ($tl) = $set =~ m{<SegmentTimeline>(.*?)</SegmentTimeline>}s;
    my ($now, @s) = (0);

    while (($tl // '') =~ m{<S(?: t="(\d+)")? d="(\d+)"(?: r="(\d+)")?/>}g) {
        $now = $1 if defined $1;
        for (0 .. ($3 // 0)) {
            push @s, [ $now, $2 ];
            $now += $2;
        }
    }

    return @s;
}

# the top-level ISO BMFF boxes of $d: ([{type, body}], error)

sub boxes {
    my ($d) = @_;

    my ($p, @b) = (0);

    while ($p < length $d) {
        return (\@b, "short box at $p") if $p + 8 > length $d;
        my ($size, $type) = unpack('N a4', substr($d, $p, 8));
        return (\@b, "bad size at $p") if $size < 8 || $p + $size > length $d;
        push @b, { type => $type, body => substr($d, $p + 8, $size - 8) };
        $p += $size;
    }

    return (\@b, undef);
}

# DASHEventMessageBox (ISO/IEC 23009-1 5.10.3.3), the body after the
# box header: version and flags, then the fields of version 0 or 1

sub emsg {
    my ($b) = @_;

    my ($v, %e) = (ord $b);
    my $p = 4;
    my $cstr = sub {
        my $nul = index($b, "\0", $p);
        return undef if $nul < 0;
        my $s = substr($b, $p, $nul - $p);
        $p = $nul + 1;
        return $s;
    };

    if ($v == 1) {
        return undef if length $b < $p + 20;
        my ($scale, $hi, $lo, $dur, $id) = unpack('N N N N N',
            substr($b, $p, 20));
        $p += 20;
        %e = (timescale => $scale, time => $hi * 4294967296 + $lo,
              duration => $dur, id => $id);
        $e{scheme} = $cstr->();
        $e{value} = $cstr->();

    } elsif ($v == 0) {
        $e{scheme} = $cstr->();
        $e{value} = $cstr->();
        return undef if length $b < $p + 16;
        @e{qw(timescale delta duration id)} = unpack('N N N N',
            substr($b, $p, 16));
        $p += 16;

    } else {
        return undef;
    }

    return undef unless defined $e{scheme} && defined $e{value};

    $e{version} = $v;
    $e{message} = substr($b, $p);

    return \%e;
}

# the frames of an ID3v2.4 tag: id => content

sub id3_frames {
    my ($d) = @_;

    return {} unless length $d >= 10 && substr($d, 0, 3) eq 'ID3';

    my $ss = sub { my @b = unpack('C4', $_[0]);
                   ($b[0] << 21) | ($b[1] << 14) | ($b[2] << 7) | $b[3] };
    my $end = 10 + $ss->(substr($d, 6, 4));
    my ($p, %f) = (10);

    while ($p + 10 <= $end && $p + 10 <= length $d) {
        my $id = substr($d, $p, 4);
        my $n = $ss->(substr($d, $p + 4, 4));
        $f{$id} = substr($d, $p + 10, $n);
        $p += 10 + $n;
    }

    return \%f;
}

# the fragment_absolute_time of the tfxd box in a moof's traf

sub tfxd_time {
    my ($moof) = @_;

    my ($boxes) = boxes($moof);
    my ($traf) = grep { $_->{type} eq 'traf' } @{$boxes // []};
    my ($inner) = boxes($traf ? $traf->{body} : '');

    for my $b (@{$inner // []}) {
        next unless $b->{type} eq 'uuid'
            && unpack('H32', $b->{body}) eq '6d1d9b0542d544e680e2141daff757b2';
        my $v = ord substr($b->{body}, 16, 1);
        return $v == 1
            ? unpack('N', substr($b->{body}, 20, 4)) * 4294967296
              + unpack('N', substr($b->{body}, 24, 4))
            : unpack('N', substr($b->{body}, 20, 4));
    }

    return undef;
}

sub publish_bg {
    my ($list) = @_;

    my $pid = fork();
    die "fork: $!" unless defined $pid;

    if ($pid) {
        $t->on_cleanup(sub {
            return if $reaped{$pid};
            kill 'KILL', $pid;
            waitpid($pid, 0);
        });
        return $pid;
    }

    my $ok = eval {
        my $p = Sluice::RTMP->new(port => $t->port(1935),
            app => "live/$token");
        $p->publish('cam');
        my $start = time;

        for my $e (@$list) {
            my ($type, $ts, $data) = @$e;
            my $wait = $start + ($ts - $BASE) / 1000 - time;

            sleep $wait if $wait > 0;
            $p->message($type, $ts, $data)
                or die "connection closed at $ts ms\n";
            $p->poll();
            die "connection closed at $ts ms\n" if $p->closed();
        }

        $p->close();
        1;
    };

    print STDERR "# publisher: $@" unless $ok;
    POSIX::_exit($ok ? 0 : 1);
}

sub wait_pid {
    my ($pid, $timeout) = @_;

    my $st;
    $t->wait_for(sub {
        my $r = waitpid($pid, POSIX::WNOHANG());
        $st = $? >> 8 if $r == $pid;
        return $r == $pid;
    }, timeout => $timeout, interval => 0.5, what => 'the publisher');
    $reaped{$pid} = 1 if defined $st;

    return $st;
}

# SCTE 35 (ANSI/SCTE 35 2022, 9.2): splice_info_section, splice_insert

sub crc32_mpeg {
    my ($s) = @_;

    my $crc = 0xFFFFFFFF;

    for my $b (unpack('C*', $s)) {
        $crc ^= $b << 24;
        for (1 .. 8) {
            $crc = $crc & 0x80000000 ? (($crc << 1) ^ 0x04C11DB7) : $crc << 1;
            $crc &= 0xFFFFFFFF;
        }
    }

    return $crc;
}

sub section {
    my ($type, $cmd) = @_;

    my $body = "\x00" . "\x00" . pack('N', 0) . "\xFF"
        . "\xFF" . chr(0xF0 | (length($cmd) >> 8)) . chr(length($cmd) & 0xFF)
        . chr($type) . $cmd . pack('n', 0);
    my $len = length($body) + 4;
    my $s = "\xFC" . chr(0x30 | ($len >> 8)) . chr($len & 0xFF) . $body;

    return $s . pack('N', crc32_mpeg($s));
}

sub splice_insert {
    my (%o) = @_;

    my $cmd = pack('N', $o{id}) . "\x7F"
        . chr(($o{out} ? 0x80 : 0) | 0x40 | ($o{dur} ? 0x20 : 0) | 0x0F)
        . chr(0xFE | (($o{pts} >> 32) & 1)) . pack('N', $o{pts} & 0xFFFFFFFF);

    if ($o{dur}) {
        my $d = $o{dur} * 90;
        $cmd .= chr(0xFE | (($d >> 32) & 1)) . pack('N', $d & 0xFFFFFFFF);
    }

    return section(5, $cmd . pack('n', 1) . "\x00\x00");
}

sub parse_section {
    my ($s) = @_;

    return {} if length $s < 20;

    my %r = (crc => crc32_mpeg(substr($s, 0, -4))
                    == unpack('N', substr($s, -4)) ? 'ok' : 'bad',
             type => ord(substr($s, 13, 1)));

    return \%r unless $r{type} == 5;

    $r{event} = unpack('N', substr($s, 14, 4));
    my $f = ord(substr($s, 19, 1));
    $r{out} = $f & 0x80 ? 1 : 0;
    my $p = 20;

    if (($f & 0x40) && !($f & 0x10)) {
        $p += ord(substr($s, $p, 1)) & 0x80 ? 5 : 1;
    }

    if ($f & 0x20) {
        $r{dur} = ((ord(substr($s, $p, 1)) & 1) << 32)
                  + unpack('N', substr($s, $p + 1, 4));
    }

    return \%r;
}

sub event_stream {
    my (%o) = @_;

    return qq{<?xml version="1.0" encoding="UTF-8"?>}
        . qq{<EventStream xmlns="urn:mpeg:dash:schema:mpd:2011" }
        . qq{schemeIdUri="$ID3" timescale="1000">}
        . qq{<Event presentationTime="$o{time}" id="$o{id}">$o{text}}
        . qq{</Event></EventStream>};
}

sub log_tail {
    my @l = split /\n/, $t->error_log();
    return join("\n", @l > 40 ? @l[-40 .. -1] : @l);
}
