#!/usr/bin/perl

# Copyright (C) 2026, The Sluice authors.
#
# Cues from RTMP data messages (issue 13): the suite's own RTMP client
# (t/lib/Sluice/RTMP.pm) publishes an ffmpeg-made FLV's audio and video
# tags in real time with, among them:
#
#  - onAdCue in AMS's simple mode (Sluice makes the splice_insert),
#    onAdCue in SCTE-35 mode (a splice_info_section built here with its
#    CRC-32/MPEG-2), onCuePoint (Elemental, its cue in the parameters),
#    onUserDataEvent (an EventStream with an ID3 scheme; one with its
#    presentationTime, one at the message's own time), an onAdCue in an
#    AMF3 data message (type 15, its leading 0 byte);
#  - a bad base64, a bad CRC, an absurd duration, malformed AMF, a time
#    an hour ahead, a flood of ad cues and one of timed metadata: each
#    dropped with a log line naming the event, the stream goes on;
#  - onMetaData's language still reaches the tracks.
#
# The live store ({data}/live/{id}/{generation}/cues) and the asset of a
# live output recording the event ({data}/assets/{assetId}/cues) have
# exactly the good cues, their records parsed here (format in
# src/core/ngx_sluice_cue.h), sections equal to those sent, times within
# one fragment of where they were sent.  After a restart the event's
# timeline continues after the recording, and its cues come back into
# shared memory.

use strict;
use warnings;

use Test::More;
use MIME::Base64 qw(encode_base64);
use Compress::Zlib ();
use POSIX ();
use Time::HiRes qw(time sleep);
use IPC::Run ();
use IO::Socket::INET;

use FindBin;
use lib "$FindBin::Bin/lib";
use Test::Sluice;
use Sluice::RTMP;
use Sluice::Record;
use Sluice::Ingest qw(fixture ffprobe_json);

my $t = Test::Sluice->new();
$t->has_program('ffmpeg', 'ffprobe', 'srt-live-transmit');

# Sluice::Record::config(), with fragmented-MP4 ingest
$t->write_sluice_conf(
    workers => 2,
    data => 'data',
    app_pool => 0,
    app => 'sluice_fragment_ring 8;',
    http => "sluice_transition_time 0s;\n"
        . "sluice_splice_conditioning on;\n"
        . "sluice_ingest_url http://127.0.0.1:%%PORT_8080%%;\n"
        . "sluice_srt_listen 127.0.0.1:%%PORT_9000%%;\n"
        . 'sluice_ingest_url srt://127.0.0.1:%%PORT_9000%%;',
    server => "location ~* /ingest\\.isml {\n"
        . "    sluice_fmp4_ingest;\n    client_body_timeout 30s;\n}\n");
$t->run();

my $dir = $t->testdir;
my $BASE = 5000;            # ms: the publisher's first timestamp
my $FRAG = 2000;            # keyFrameIntervalDuration PT2S

my $token = 'c' x 32;
ok(Sluice::Record::event($t, 'cues', $token), 'live event running')
    or BAIL_OUT('no live event');

my $asset_id = Sluice::Record::asset($t, 'cueasset');
ok($asset_id && Sluice::Record::output($t, 'cues', 'rec', 'cueasset', 'PT5M'),
    'live output recording') or BAIL_OUT('no live output');

my $av = fixture('av', duration => 24, gop => 2, size => '320x180',
    vbitrate => '300k', abitrate => '64k');
my @tags = grep { $_->{type} == 8 || $_->{type} == 9 }
    Sluice::RTMP::flv_tags($av);

###############################################################################
# the data messages

my $ID3 = 'https://aomedia.org/emsg/ID3';
my %sent;               # id -> what the store must hold

sub at { $BASE + $_[0] }
sub secs { \(at($_[0]) / 1000) }

sub data { [ 18, at($_[0]), Sluice::RTMP::amf0_encode(@_[1 .. $#_]) ] }

my $s_out = splice_insert(id => 2002, out => 1, pts => at(6000) * 90,
    dur => 20000);
my $s_in = splice_insert(id => 3003, out => 0, pts => at(8000) * 90);
my $s_bad = $s_out;
substr($s_bad, -1, 1) = chr(ord(substr($s_bad, -1)) ^ 0x5a);

my @msgs = (
    data(0, '@setDataFrame', 'onMetaData', { language => 'fra',
        width => \320, height => \180 }),

    data(4000, 'onAdCue', { type => 'SpliceOut', id => '1001',
        duration => \30, time => secs(4000) }),
    data(6000, 'onAdCue', { type => 'scte35', id => '2002',
        cue => encode_base64($s_out, ''), duration => \20,
        time => secs(6000) }),
    data(8000, 'onCuePoint', { name => 'scte35', type => 'event',
        time => secs(8000), parameters => { id => '3003',
        duration => '0', cue => encode_base64($s_in, '') } }),
    data(10000, 'onUserDataEvent', event_stream(id => 'meta-1',
        time => at(10000), duration => 1000, text => 'ID3 hello')),
    data(10200, 'onUserDataEvent', event_stream(id => 'meta-2',
        text => 'too soon')),

    # bad input
    data(11000, 'onAdCue', { type => 'scte35', id => 'bad-b64',
        cue => '!!not base64!!', duration => \10, time => secs(11000) }),
    data(11500, 'onAdCue', { type => 'scte35', id => 'bad-crc',
        cue => encode_base64($s_bad, ''), duration => \10,
        time => secs(11500) }),
    data(12000, 'onAdCue', { type => 'SpliceOut', id => 'bad-dur',
        duration => \100000, time => secs(12000) }),
    [ 18, at(12500), "\x02\x00\x07onAdCue\x03\x00\x02id\x02\x00\x10ab" ],

    # a flood: the third within a second is dropped
    (map { data(13000 + 100 * $_, 'onAdCue', { type => 'SpliceOut',
        id => 5001 + $_, duration => \10, time => secs(13000 + 100 * $_) }) }
        0 .. 2),

    data(14500, 'onAdCue', { type => 'SpliceOut', id => 'far',
        duration => \10, time => \(at(14500) / 1000 + 3600) }),

    # AMF3 data message: an AMF0 body after a 0 byte
    [ 15, at(16000), "\x00" . Sluice::RTMP::amf0_encode('onAdCue',
        { type => 'SpliceOut', id => '6006', duration => \10,
          time => secs(16000) }) ],

    # timed metadata at the message's own time, no id: one is made
    data(18000, 'onUserDataEvent', event_stream(text => 'at 18 s')),
);

%sent = (
    1001 => { kind => 1, source => 1, time => at(4000), duration => 30000 },
    2002 => { kind => 1, source => 2, time => at(6000), duration => 20000,
              section => $s_out },
    3003 => { kind => 2, source => 3, time => at(8000), duration => 0,
              section => $s_in },
    'meta-1' => { kind => 4, source => 4, time => at(10000),
                  duration => 1000, scheme => $ID3, data => 'ID3 hello' },
    5001 => { kind => 1, source => 1, time => at(13000), duration => 10000 },
    5002 => { kind => 1, source => 1, time => at(13100), duration => 10000 },
    6006 => { kind => 1, source => 1, time => at(16000), duration => 10000 },
    at(18000) => { kind => 4, source => 4, time => at(18000), duration => 0,
                   scheme => $ID3, data => 'at 18 s', made => 1 },
);

my @list = sort { $a->[1] <=> $b->[1] }
    (@msgs, map { [ $_->{type}, at($_->{ts}), $_->{data} ] } @tags);

###############################################################################
# publish in real time

my $before = $t->event_dirs();
my $from = $t->log_offset();

ok(publish(\@list), 'published tags and data messages, never closed')
    or diag(log_tail());

my $gen = $t->new_event_dir($before);
ok($gen, 'event directory') or BAIL_OUT(log_tail());

my $tr = $t->wait_track_end($gen, 12, timeout => 20);
ok($tr, 'fragments kept coming after the bad messages (a ring of 8: 12 s of them)')
    or diag(log_tail());

my %tr = map { $_->{type} => $_ } @{$tr // []};
cmp_ok($tr{video}{times}[-1] // 0, '>=', at(20000) * 90,
    'the last fragments are those of the end of the stream');
my $loc = $t->api(GET => 'liveEvents/cues')
    ->{json}{properties}{preview}{previewLocator} // '';
my $smooth = $t->get("/$loc/preview.ism/manifest")->{body} // '';
like($smooth, qr/<StreamIndex Type="audio"[^>]* Language="fra"/,
    'onMetaData language still taken (the audio track is "fra")');

# the drops, one line each, naming the event

my $ev = qr/live event "cues"/;
ok($t->wait_log(qr/$ev: a cue of stream "cam" at \d+ dropped: /,
    from => $from, count => 4), 'four bad messages dropped with a line')
    or diag(log_tail());
like(log_from($from), qr/$ev: cue "5003" at \d+ ms dropped: ad cues come more often/,
    'ad cue flood: the third in a second dropped');
like(log_from($from), qr/$ev: cue "meta-2" at \d+ ms dropped: timed metadata comes/,
    'timed metadata flood dropped');
like(log_from($from), qr/$ev: a cue of stream "cam" at \d+ ms of the timeline is too far/,
    'a cue an hour ahead dropped');

###############################################################################
# the store and the asset

my $live = "$gen/cues";
my $adir = "$dir/data/assets/$asset_id";

ok($t->wait_for(sub { keys %{cues("$adir/cues")} >= keys %sent }, 20),
    'asset cues file written') or diag(explain(cues("$adir/cues")));

check_store('live store', cues($live));
check_store('asset', cues("$adir/cues"));

# a torn trailing record (a crash while appending) is skipped by readers

{
    open my $fh, '>>:raw', $live or die "$live: $!";
    print {$fh} "SCUE\x40\x00\x00\x00\x01\x01";
    close $fh;
    is(scalar keys %{cues($live)}, scalar keys %sent,
        'a torn trailing record is skipped');
}

###############################################################################
# fragmented-MP4 ingest: an ffmpeg-made ismv posted as ffmpeg -f ismv
# does, with emsg boxes (CMAF ingest's form: version 1 SCTE 35, version 0
# ID3 timed metadata) before two of its fragments; and, into a second
# event, the same media and then a Smooth sparse track of its own (AMS's
# form: textstream, hdlr meta, sample entry scte, each sample version,
# id, presentation_time_delta, splice_info_section), one of its samples
# with a bad CRC

my $ismv = "$dir/cues.ismv";
my $ffout = '';
IPC::Run::run([ 'ffmpeg', '-nostdin', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=30',
    '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-t', 12,
    '-c:v', 'libx264', '-preset', 'veryfast', '-g', 60, '-keyint_min', 60,
    '-sc_threshold', 0, '-c:a', 'aac', '-b:a', '64k',
    '-movflags', 'isml+frag_keyframe', '-f', 'ismv', $ismv ], '<', \undef,
    '>&', \$ffout) or diag($ffout);

my ($head, @frag) = ismv_split($ismv);
ok(@frag >= 6, 'an ismv of 6 video fragments or more') or diag(scalar @frag);
my @fms = map { tfxd_ms($_) } @frag;

my $SCTE = 'urn:scte:scte35:2013:bin';
my $e_out = splice_insert(id => 7001, out => 1, pts => 0, dur => 15000);
my $s_out2 = splice_insert(id => 8001, out => 1, pts => 0, dur => 20000);
my $s_in2 = splice_insert(id => 8002, out => 0, pts => 0);
my $s_bad2 = $s_in2;
substr($s_bad2, 14, 1) = "\x99";               # the CRC no longer holds

my %fsent = (
    7001 => { kind => 1, source => 6, time => $fms[2] + 100,
              duration => 15000, section => $e_out },
    7002 => { kind => 4, source => 6, time => $fms[3] + 500,
              duration => 0, scheme => $ID3, data => "ID3\x04tag" },
);
my %ssent = (
    8001 => { kind => 1, source => 5, time => $fms[1] + 1000,
              duration => 20000, section => $s_out2 },
    8002 => { kind => 2, source => 5, time => $fms[1] + 3000,
              duration => 0, section => $s_in2 },
);

my $port = $t->port(8080);
my %fdir;

for my $n (1, 2) {
    my $ftok = "f$n" x 16;
    ok($t->create_live_event("cuesf$n", token => $ftok,
        input => { streamingProtocol => 'FragmentedMP4' },
        properties => { encoding => { encodingType => 'PassthroughBasic' } }),
        "FragmentedMP4 event $n running");

    my @body = ($head, @frag);

    if ($n == 1) {
        # before fragments 2 and 3 (after the header: @body is 1-based)
        splice(@body, 4, 0, emsg(0, $ID3, '', 1000, 500, 0xFFFFFFFF, 7002,
            "ID3\x04tag"));
        splice(@body, 3, 0, emsg(1, $SCTE, '', 1000, $fms[2] + 100,
            15000, 7001, $e_out));
    }

    my $b = $t->event_dirs();
    ok(post_body($ftok, 'video', @body), "event $n: media posted");
    $fdir{$n} = $t->wait_for(sub { $t->new_event_dir($b) }, 20);
}

ok(post_body('f2' x 16, 'sparse', sparse_header(),
    sparse_fragment(1, $fms[1] * 10000, 1000 * 10000, $s_out2, 8001),
    sparse_fragment(2, $fms[1] * 10000 + 10000000, 1000 * 10000, $s_bad2,
        8003),
    sparse_fragment(3, $fms[1] * 10000 + 20000000, 1000 * 10000, $s_in2,
        8002)), 'sparse track posted');

ok($t->wait_for(sub { keys %{cues("$fdir{1}/cues")} >= 2
                      && keys %{cues("$fdir{2}/cues")} >= 2 }, 20),
    'fMP4 cues stored') or diag(log_tail());

%sent = %fsent;
check_store('emsg', cues("$fdir{1}/cues"), 1);
%sent = %ssent;
check_store('sparse', cues("$fdir{2}/cues"), 1);
like(log_from($from), qr/live event "cuesf2": a cue of stream "sparse" dropped: bad CRC/,
    'sparse: a bad CRC dropped with a line naming the event');

###############################################################################
# SRT: ffmpeg's MPEG-TS with a SCTE 35 PID added here (stream type 0x86
# in the PMT, sections in packets of their own): a splice_insert at a
# given PTS (sent twice, as encoders repeat them), one with a bad CRC,
# an immediate one; paced in real time through srt-live-transmit

my $tsfile = fixture('av', duration => 12, gop => 2, size => '320x180',
    vbitrate => '300k', abitrate => '64k', format => 'ts');
my $ts_out = sub { splice_insert(id => 9001, out => 1,
    pts => $_[0] + 5000 * 90, dur => 30000) };
my $ts_in = splice_insert(id => 9002, out => 0, immediate => 1);
my ($ts, $pts0) = ts_with_scte35($tsfile, 0x1f0, [
    [ 4000, $ts_out ], [ 4100, $ts_out ],       # repeated, as encoders do
    [ 6000, sub { $s_bad } ],
    [ 8000, sub { $ts_in } ],
]);
ok($pts0, 'a TS with a SCTE 35 PID') or diag('no video PTS');

my $stok = 's' x 32;
ok($t->create_live_event('cuess', token => $stok,
    input => { streamingProtocol => 'SRT' },
    properties => { encoding => { encodingType => 'PassthroughBasic' } }),
    'SRT event running');

my $sb = $t->event_dirs();
my $soff = $t->log_offset();
ok(srt_send($ts, 12, 'srt://127.0.0.1:' . $t->port(9000)
    . "?streamid=#!::r=$stok,m=publish"), 'sent over SRT');
my $sdir = $t->wait_for(sub { $t->new_event_dir($sb) }, 20);

# the first video PTS is timeline ms (pts / 90): the first publisher
%sent = (
    9001 => { kind => 1, source => 7, time => int(($pts0 + 5000 * 90) / 90),
              duration => 30000 },
    9002 => { kind => 2, source => 7, time => int($pts0 / 90) + 8000,
              duration => 0 },
);
$sent{9001}{section} = $ts_out->($pts0);
$sent{9002}{section} = $ts_in;

ok($t->wait_for(sub { keys %{cues("$sdir/cues")} >= 2 }, 20),
    'SRT cues stored') or diag(log_tail());
check_store('SRT', cues("$sdir/cues"), 1);
is(scalar(() = $t->read_file("$sdir/cues") =~ /SCUE/g), 2,
    'SRT: the repeated section stored once');
like(log_from($soff), qr/live event "cuess": a SCTE 35 section of stream "[^"]+" \(PID 496\) dropped: bad CRC/,
    'SRT: a bad section dropped with a line naming the event')
    or diag(log_from($soff));

###############################################################################
# splice-point conditioning (sluice_splice_conditioning on): the encoder
# put IDRs at 5.3, 7.3 and 9.3 s besides its GOPs of 2 s; a splice out
# at 5.3 s of 2 s (sent 4 s before) cuts the fragments at 5.3 and 7.3 s
# (its end); the IDR at 9.3 s, no splice point, cuts nothing

my $kf = "$dir/splice.flv";
IPC::Run::run([ 'ffmpeg', '-nostdin', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=30',
    '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-t', 12,
    '-c:v', 'libx264', '-preset', 'veryfast', '-b:v', '300k',
    '-x264-params', 'keyint=600:min-keyint=600:scenecut=0',
    '-force_key_frames', '0,2,4,5.3,6,7.3,8,9.3,10',
    '-c:a', 'aac', '-b:a', '64k', '-f', 'flv', $kf ], '<', \undef,
    '>&', \$ffout) or diag($ffout);

my @ktags = grep { $_->{type} == 8 || $_->{type} == 9 }
    Sluice::RTMP::flv_tags($kf);
my @keys = map { $_->{ts} }
    grep { $_->{type} == 9 && (ord($_->{data}) >> 4) == 1
           && ord(substr($_->{data}, 1, 1)) == 1 } @ktags;  # NALUs
is(join(',', @keys), '0,2000,4000,5300,6000,7300,8000,9300,10000',
    'the IDRs of the fixture');

my $ktok = 'k' x 32;
ok($t->create_live_event('splice', token => $ktok), 'splice event running');
my $kb = $t->event_dirs();
ok(publish([ sort { $a->[1] <=> $b->[1] }
    data(1000, 'onAdCue', { type => 'SpliceOut', id => 'brk',
        duration => \2, time => secs(5300) }),
    map { [ $_->{type}, at($_->{ts}), $_->{data} ] } @ktags ], $ktok),
    'published with a splice out');

my $kdir = $t->wait_for(sub { $t->new_event_dir($kb) }, 20);
my $ktr = $t->wait_track_end($kdir, 10, timeout => 20);
my ($kv) = grep { $_->{type} eq 'video' } @{$ktr // []};
my %kt = map { $_ / 90 => 1 } @{$kv->{times} // []};
ok($kt{at(5300)}, 'a fragment starts at the splice out (5.3 s)')
    or diag(join(',', map { $_ / 90 } @{$kv->{times} // []}));
ok($kt{at(7300)}, 'and at its end (7.3 s)');
ok(!$kt{at(9300)}, 'not at the IDR without a splice point (9.3 s)');
ok($kt{at(6000)} && $kt{at(8000)} && $kt{at(10000)},
    'the fragment boundaries of the GOPs stay');
my ($ka) = grep { $_->{type} eq 'audio' } @{$ktr // []};
my @acut = grep { abs($_ * 1000 / 48000 - at(5300)) < 25 }
    @{$ka->{times} // []};
ok(@acut == 1, 'the audio cut there too');
like($t->read_file('error.log'), qr/live event "splice": stream "cam" cut at its keyframe 10300 ms, the splice point at 10300 ms/,
    'the cut logged');

###############################################################################
# restart: the timeline continues after the recording, cues come back

my $off = $t->log_offset();
$t->stop();
$t->run();

ok($t->wait_log(qr/$ev: \d+ cue\(s\) of "[^"]+\/cues" taken back/,
    from => 0), 'after a restart the cues are back in shared memory')
    or diag(log_tail());
like(log_from($off), qr/$ev: 8 cue\(s\) of "\Q$live\E" taken back/,
    'all eight, from the previous generation\'s store');

done_testing();

###############################################################################

sub publish {
    my ($list, $tok) = @_;

    my $ok = eval {
        my $p = Sluice::RTMP->new(port => $t->port(1935),
            app => 'live/' . ($tok // $token));
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

    diag("publisher: $@") unless $ok;
    return $ok;
}

sub check_store {
    my ($what, $got, $no_simple) = @_;

    is_deeply([ sort keys %$got ], [ sort keys %sent ],
        "$what: the good cues, none of the dropped ones");

    for my $id (sort keys %sent) {
        my $w = $sent{$id};
        my $c = $got->{$id} or next;

        ok(abs($c->{time} - $w->{time}) <= $FRAG,
            "$what: $id at $c->{time} ms, sent at $w->{time}");
        is("$c->{kind}/$c->{source}/$c->{duration}",
            "$w->{kind}/$w->{source}/$w->{duration}",
            "$what: $id kind, source, duration");

        if ($w->{section}) {
            is(unpack('H*', $c->{section}), unpack('H*', $w->{section}),
                "$what: $id section as sent");
        }

        if ($w->{scheme}) {
            is("$c->{scheme}|$c->{data}", "$w->{scheme}|$w->{data}",
                "$what: $id scheme and data");
        }

        if ($w->{made}) {
            ok($c->{flags} & 1, "$what: $id made from the time");
        }
    }

    return if $no_simple;

    # simple mode: the splice_insert Sluice made

    my $si = parse_section($got->{1001}{section} // '');
    is(join(',', map { $_ // '-' } @$si{qw(crc type event out dur)}),
        'ok,5,1001,1,2700000',
        "$what: simple mode made a splice_insert: out, id, 30 s");
}

# the records of a cues file, the last of each id and time kept

sub cues {
    my ($file) = @_;

    open my $fh, '<:raw', $file or return {};
    local $/;
    my $d = <$fh> // '';
    close $fh;

    my %c;
    my $p = 0;

    while ($p + 60 <= length $d) {
        my $len = unpack('V', substr($d, $p + 4, 4));

        if (substr($d, $p, 4) ne 'SCUE' || $len < 60
            || $p + $len > length $d
            || Compress::Zlib::crc32(substr($d, $p, $len - 4))
               != unpack('V', substr($d, $p + $len - 4, 4)))
        {
            $p++;
            next;
        }

        my ($ver, $kind, $source, $flags, $eid, $time, $dur, $el,
            $idl, $scl, $vall, undef, $secl, $datl) =
            unpack('C C C C V Q< Q< Q< v v v v V V', substr($d, $p + 8, 48));
        my $q = $p + 56;
        my @s;

        for my $l ($idl, $secl, $scl, $vall, $datl) {
            push @s, substr($d, $q, $l);
            $q += $l;
        }

        $c{$s[0]} = { version => $ver, kind => $kind, source => $source,
            flags => $flags, event_id => $eid, time => $time,
            duration => $dur, section => $s[1], scheme => $s[2],
            value => $s[3], data => $s[4] };
        $p += $len;
    }

    return \%c;
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

    my $body = "\x00"                       # protocol_version
        . "\x00" . pack('N', 0)             # not encrypted, pts_adjustment
        . "\xFF"                            # cw_index
        . "\xFF" . chr(0xF0 | (length($cmd) >> 8)) . chr(length($cmd) & 0xFF)
        . chr($type) . $cmd
        . pack('n', 0);                     # descriptor_loop_length
    my $len = length($body) + 4;
    my $s = "\xFC" . chr(0x30 | ($len >> 8)) . chr($len & 0xFF) . $body;

    return $s . pack('N', crc32_mpeg($s));
}

sub splice_insert {
    my (%o) = @_;

    my $cmd = pack('N', $o{id}) . "\x7F"
        . chr(($o{out} ? 0x80 : 0) | 0x40 | ($o{dur} ? 0x20 : 0)
              | ($o{immediate} ? 0x10 : 0) | 0x0F)
        . ($o{immediate} ? ''
           : chr(0xFE | (($o{pts} >> 32) & 1))
             . pack('N', $o{pts} & 0xFFFFFFFF));

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
        # splice_time(): 5 bytes with a time, else 1
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

    my $attr = join '', map { defined $o{$_->[0]}
        ? qq{ $_->[1]="$o{$_->[0]}"} : '' }
        [ 'time', 'presentationTime' ], [ 'duration', 'duration' ],
        [ 'id', 'id' ];

    return qq{<?xml version="1.0" encoding="UTF-8"?>}
        . qq{<EventStream xmlns="urn:mpeg:dash:schema:mpd:2011" }
        . qq{schemeIdUri="$ID3" timescale="1000">}
        . qq{<Event$attr>$o{text}</Event></EventStream>};
}

# fragmented MP4

sub box {
    my ($type, $payload) = @_;
    return pack('N', 8 + length $payload) . $type . $payload;
}

sub fbox {
    my ($type, $version, $flags, $payload) = @_;
    return box($type, pack('N', ($version << 24) | $flags) . $payload);
}

# ISO/IEC 23009-1 5.10.3.3
sub emsg {
    my ($v, $scheme, $value, $ts, $time, $dur, $id, $data) = @_;

    return fbox('emsg', 0, 0, "$scheme\0$value\0"
        . pack('N4', $ts, $time, $dur, $id) . $data) if $v == 0;

    return fbox('emsg', 1, 0, pack('N Q> N N', $ts, $time, $dur, $id)
        . "$scheme\0$value\0" . $data);
}

sub sparse_header {
    my $matrix = pack('N9', 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000);
    my $xml = '<?xml version="1.0" encoding="utf-8"?>'
        . '<smil xmlns="http://www.w3.org/2001/SMIL20/Language"><head>'
        . '<meta name="creator" content="sluice-test"/></head><body>'
        . '<switch><textstream src="sparse" systemBitrate="0">'
        . '<param name="trackID" value="1" valuetype="data"/>'
        . '<param name="trackName" value="scte35" valuetype="data"/>'
        . '<param name="parentTrackName" value="video" valuetype="data"/>'
        . '<param name="manifestOutput" value="true" valuetype="data"/>'
        . '<param name="Subtype" value="DATA" valuetype="data"/>'
        . qq{<param name="Scheme" value="$SCTE" valuetype="data"/>}
        . '</textstream></switch></body></smil>';

    my $stbl = box('stbl', fbox('stsd', 0, 0, pack('N', 1)
            . box('scte', "\0" x 6 . pack('n', 1)))
        . fbox('stts', 0, 0, pack('N', 0)) . fbox('stsc', 0, 0, pack('N', 0))
        . fbox('stsz', 0, 0, pack('N2', 0, 0))
        . fbox('stco', 0, 0, pack('N', 0)));
    my $trak = box('trak', fbox('tkhd', 0, 3, pack('N5', 0, 0, 1, 0, 0)
            . "\0" x 8 . pack('n4', 0, 0, 0, 0) . $matrix . pack('N2', 0, 0))
        . box('mdia', fbox('mdhd', 0, 0, pack('N4', 0, 0, 10000000, 0)
                . pack('n2', 0x55c4, 0))
            . fbox('hdlr', 0, 0, pack('N', 0) . 'meta' . "\0" x 12
                . "scte35\0")
            . box('minf', fbox('nmhd', 0, 0, '')
                . box('dinf', fbox('dref', 0, 0, pack('N', 1)
                    . fbox('url ', 0, 1, '')))
                . $stbl)));

    return box('ftyp', 'isml' . pack('N', 1) . 'piffiso2')
        . box('uuid', pack('H*', 'a5d40b30e81411ddba2f0800200c9a66')
            . "\0" x 4 . $xml)
        . box('moov', fbox('mvhd', 0, 0, pack('N5', 0, 0, 10000000, 0,
                0x10000) . pack('n', 0x100) . "\0" x 10 . $matrix
                . "\0" x 24 . pack('N', 2))
            . $trak
            . box('mvex', fbox('trex', 0, 0, pack('N5', 1, 1, 0, 0, 0))));
}

# one sparse fragment: tfxd at $time (10 MHz), a sample of duration 0
sub sparse_fragment {
    my ($seq, $time, $delta, $section, $id) = @_;

    my $sample = pack('N3', 1, $id, $delta) . $section;
    my $moof = sub {
        my ($off) = @_;
        box('moof', fbox('mfhd', 0, 0, pack('N', $seq))
            . box('traf', fbox('tfhd', 0, 0, pack('N', 1))
                . fbox('trun', 0, 0x301, pack('N4', 1, $off, 0,
                    length $sample))
                . box('uuid', pack('H*', '6d1d9b0542d544e680e2141daff757b2')
                    . pack('N Q> Q>', 0x01000000, $time, 0))));
    };
    my $len = length $moof->(0);

    return $moof->($len + 8) . box('mdat', $sample);
}

# the fragment time of the first moof of $frag (tfxd, 10 MHz) in ms
sub tfxd_ms {
    my ($frag) = @_;

    my $i = index($frag, pack('H*', '6d1d9b0542d544e680e2141daff757b2'));
    return -1 if $i < 0;
    my ($v) = unpack('C', substr($frag, $i + 16, 1));
    my $t = $v == 1 ? unpack('Q>', substr($frag, $i + 20, 8))
                    : unpack('N', substr($frag, $i + 20, 4));
    return int($t / 10000);
}

# an ismv file: (ftyp + manifest + moov, then each video fragment with
# the audio that follows it, as ffmpeg writes them: moof + mdat pairs)
sub ismv_split {
    my ($path) = @_;

    open my $fh, '<:raw', $path or return;
    local $/;
    my $d = <$fh>;
    close $fh;

    my ($head, $pos, $vtrack, @frag) = ('', 0);

    while ($pos + 8 <= length $d) {
        my ($size, $type) = unpack('Na4', substr($d, $pos, 8));
        last if $size < 8;
        my $box = substr($d, $pos, $size);
        $pos += $size;

        if ($type eq 'moof') {
            my $i = index($box, 'tfhd');
            my $id = unpack('N', substr($box, $i + 8, 4));
            $vtrack //= $id;
            push @frag, '' if $id == $vtrack;
            $frag[-1] .= $box;
        } elsif ($type eq 'mdat') {
            $frag[-1] .= $box if @frag;
        } elsif ($type ne 'mfra') {
            $head .= $box;
        }
    }

    return ($head, @frag);
}

# one chunked POST of the parts; true when answered 200
sub post_body {
    my ($tok, $name, @parts) = @_;

    my $s = IO::Socket::INET->new("127.0.0.1:$port") or return;
    print $s "POST /$tok/ingest.isml/Streams($name) HTTP/1.1\r\n"
        . "Host: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n";
    print $s sprintf("%x\r\n", length $_), $_, "\r\n" for @parts;
    print $s "0\r\n\r\n";

    my $got = '';
    local $SIG{ALRM} = sub { die "timeout\n" };
    eval {
        alarm(20);
        while ($got !~ /\r\n\r\n/) {
            sysread($s, $got, 4096, length $got) or last;
        }
        alarm(0);
    };
    close $s;

    diag($got) unless $got =~ m{^HTTP/1\.1 200};
    return $got =~ m{^HTTP/1\.1 200};
}

# MPEG-TS: ffmpeg's file with a SCTE 35 PID added to its PMT and, at
# media times $at ms after the first video PTS, a section each (made by
# a sub given that PTS).  Returns the stream and the first video PTS.

sub ts_with_scte35 {
    my ($file, $pid, $events) = @_;

    open my $fh, '<:raw', $file or return;
    local $/;
    my $d = <$fh>;
    close $fh;

    my (@out, $pmt_pid, $vpid, $pts0, %cc);
    my @ev = @$events;

    for (my $p = 0; $p + 188 <= length $d; $p += 188) {
        my $pkt = substr($d, $p, 188);
        my ($b1, $b2, $b3) = unpack('x C C C', $pkt);
        my $id = (($b1 & 0x1f) << 8) | $b2;
        my $pusi = $b1 & 0x40;
        my $off = 4 + (($b3 & 0x20) ? 1 + ord(substr($pkt, 4, 1)) : 0);

        if ($id == 0 && $pusi) {
            my $sec = substr($pkt, $off + 1 + ord(substr($pkt, $off, 1)));
            $pmt_pid = unpack('n', substr($sec, 10, 2)) & 0x1fff;

        } elsif (defined $pmt_pid && $id == $pmt_pid && $pusi) {
            my $ptr = ord(substr($pkt, $off, 1));
            my $sec = substr($pkt, $off + 1 + $ptr);
            my $len = unpack('n', substr($sec, 1, 2)) & 0x0fff;
            $sec = substr($sec, 0, 3 + $len - 4);

            # its video PID, then the SCTE 35 one added
            my $pil = unpack('n', substr($sec, 10, 2)) & 0x0fff;
            for (my $q = 12 + $pil; $q + 5 <= length $sec;) {
                my ($type, $epid, $eil) = unpack('C n n', substr($sec, $q, 5));
                $vpid //= $epid & 0x1fff if $type == 0x1b;
                $q += 5 + ($eil & 0x0fff);
            }

            $sec .= pack('C n n', 0x86, 0xe000 | $pid, 0xf000);
            substr($sec, 1, 2) = pack('n', 0xb000 | (length($sec) + 4 - 3));
            $sec .= pack('N', crc32_mpeg($sec));
            my $pay = "\0" . $sec;
            $pkt = substr($pkt, 0, $off) . $pay
                . "\xff" x (188 - $off - length $pay);

        } elsif (defined $vpid && $id == $vpid && $pusi) {
            my $pes = substr($pkt, $off);
            if (ord(substr($pes, 7, 1)) & 0x80) {
                my @b = unpack('C5', substr($pes, 9, 5));
                my $pts = (($b[0] >> 1) & 7) << 30 | $b[1] << 22
                    | ($b[2] >> 1) << 15 | $b[3] << 7 | $b[4] >> 1;
                $pts0 //= $pts;

                push @out, $pkt;

                while (@ev && $pts >= $pts0 + $ev[0][0] * 90) {
                    my $sec = (shift @ev)->[1]->($pts0);
                    my $pay = "\0" . $sec;
                    push @out, pack('C n C', 0x47, 0x4000 | $pid,
                            0x10 | ($cc{$pid}++ & 0x0f))
                        . $pay . "\xff" x (184 - length $pay);
                }
                next;
            }
        }

        push @out, $pkt;
    }

    return (join('', @out), $pts0);
}

# $data over SRT in about $seconds (srt-live-transmit reads stdin)
sub srt_send {
    my ($data, $seconds, $url) = @_;

    my $log = $t->testdir . '/slt-cues.log';
    my $in = '';
    my $h = IPC::Run::start([ 'srt-live-transmit', '-q', 'file://con',
        $url ], '<', \$in, '>', $log, '2>>', $log);
    my $chunk = 1316;
    my $n = int(length($data) / $chunk) + 1;
    my $start = time;

    for (my $i = 0; $i < $n; $i++) {
        $in .= substr($data, $i * $chunk, $chunk);
        my $wait = $start + $seconds * ($i + 1) / $n - time;
        sleep $wait if $wait > 0;
        $h->pump_nb();
    }

    $h->pump while length $in && $h->pumpable;
    sleep 1;
    $h->kill_kill(grace => 2) if $h->pumpable;
    eval { $h->finish };
    return 1;
}

sub log_from {
    my ($off) = @_;

    my $l = $t->error_log();
    return substr($l, $off // 0);
}

sub log_tail {
    my @l = split /\n/, $t->error_log();
    return join("\n", @l > 40 ? @l[-40 .. -1] : @l);
}
