#!/usr/bin/perl

# Copyright (C) 2026, The Sluice authors.
#
# The five HLS and DASH formats of a live event through ffprobe: a ladder
# of three renditions (1280x720, 960x540, 640x360, keyframes every 2 s) is
# published with one ffmpeg, then for m3u8-aapl, m3u8-aapl-v3, m3u8-cmaf,
# mpd-time-csf and mpd-time-cmaf:
#
#  - ffprobe on the manifest URL finds the three H.264 renditions and AAC;
#  - one whole segment of every rendition (with its init segment for
#    fMP4) is downloaded and probed: container, codec, size, frame count
#    and duration of a 2 s fragment, audio muxed or not as the format says;
#  - the renditions are cut at the same times (deterministic cuts).

use strict;
use warnings;

use Test::More;
use JSON::PP;
use IPC::Run;

use FindBin;
use lib "$FindBin::Bin/lib";
use Test::Sluice;

my $t = Test::Sluice->new();
$t->has_program('ffmpeg', 'ffprobe');

$t->write_sluice_conf(location => 'sluice_live_window 30s;');

my @ladder = Sluice::Ingest::fixture('ladder', duration => 10, gop => 2);
my %want = (1280 => 720, 960 => 540, 640 => 360);

$t->run();

my $token = '5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a';
my $loc = $t->create_preview_event('ffprobe1', $token);
ok($loc, 'live event running with a preview locator')
    or diag('no live event: ' . ($t->read_file('error.log') // ''));
unless ($loc) {
    $t->done_testing();
    exit;
}

my $base = "/$loc/preview.ism";
my $http = 'http://127.0.0.1:' . $t->port(8080);

my $pub = $t->publish(input => [@ladder], loop => 1,
    url => [ map { 'rtmp://127.0.0.1:' . $t->port(1935)
                   . "/live/$token/stream$_" } 1 .. 3 ]);

# wait until every video rendition has at least 4 fragments

my $ready = $t->wait_for(sub {
    my $r = $t->get("$base/manifest");
    return unless $r->{status} == 200;
    my ($v) = $r->{body} =~ m{(<StreamIndex\b[^>]*Type="video".*?</StreamIndex>)}s;
    return unless $v;
    my @q = $v =~ /<QualityLevel\b/g;
    my @c = $v =~ /<c\b/g;
    return @q == 3 && @c >= 4;
}, 60, 0.5);

ok($ready, 'three renditions with 4 fragments each')
    or diag($t->read_file('error.log'));

for my $f (qw(m3u8-aapl m3u8-aapl-v3 m3u8-cmaf mpd-time-csf mpd-time-cmaf)) {
    my $ext = $f =~ /^m3u8/ ? '.m3u8' : '.mpd';
    my $path = "$base/manifest(format=$f)$ext";

    my $r = $t->get($path);
    is($r->{status}, 200, "$f: manifest 200");

    # ffprobe on the manifest itself

    # FFmpeg checks HLS segment URLs' extensions (extension_picky): the
    # playlists give .ts, .m4s and .mp4
    my ($j, $err) = probe("$http$path");
    my @s = $j ? @{$j->{streams} // []} : ();
    my %w = map { (($_->{width} // 0) => ($_->{height} // 0)) }
        grep { ($_->{codec_name} // '') eq 'h264' } @s;
    is_deeply(\%w, \%want, "$f: ffprobe finds the three H.264 renditions")
        or diag("ffprobe $path: $err");
    my @a = grep { ($_->{codec_name} // '') eq 'aac' } @s;
    ok(@a && $a[0]{sample_rate} == 48000 && $a[0]{channels} == 2,
        "$f: ffprobe finds AAC 48 kHz stereo");

    # every rendition's segments

    my $reps = $f =~ /^m3u8/ ? hls_renditions($path, $r->{body})
                             : dash_renditions($path, $r->{body});
    my @video = grep { $_->{type} eq 'video' } @$reps;
    my @audio = grep { $_->{type} eq 'audio' } @$reps;

    is(scalar @video, 3, "$f: three video renditions listed");
    # m3u8-aapl-v3 muxes audio into the video segments (checked below); it
    # may also list an audio-only variant
    ok(@audio >= 1, "$f: an audio rendition") unless $f eq 'm3u8-aapl-v3';

    my $container = $f =~ /^m3u8-aapl/ ? qr/mpegts/ : qr/mp4/;

    my %sizes;
    for my $v (@video) {
        my $p = probe_segment($v, $f);
        my ($vs) = grep { $_->{codec_type} eq 'video' } @{$p->{streams}};
        my ($as) = grep { $_->{codec_type} eq 'audio' } @{$p->{streams}};
        my $name = "$f: video $v->{id}";

        like($p->{format}{format_name} // '', $container, "$name: container")
            or diag($p->{error});
        is($vs && $vs->{codec_name}, 'h264', "$name: h264");
        $sizes{$vs ? $vs->{width} : 0} = $vs ? $vs->{height} : 0;
        # fragments are cut on the 2 s grid: 60 frames at 30 fps
        ok($vs && $vs->{nb_read_packets} >= 58
           && $vs->{nb_read_packets} <= 62,
           "$name: 2 s of frames")
            or diag("packets " . ($vs ? $vs->{nb_read_packets} : 'none'));
        if ($f eq 'm3u8-aapl-v3') {
            is($as && $as->{codec_name}, 'aac', "$name: muxed aac");
        } else {
            ok(!$as, "$name: video only");
        }
    }
    is_deeply(\%sizes, \%want, "$f: segment sizes of the three renditions");

    for my $a (@audio) {
        my $p = probe_segment($a, $f);
        my ($as) = grep { $_->{codec_type} eq 'audio' } @{$p->{streams}};
        ok($as && $as->{codec_name} eq 'aac' && $as->{sample_rate} == 48000,
            "$f: audio $a->{id}: aac 48 kHz segment")
            or diag($p->{error});
    }

    # deterministic cuts: the same segment times in every rendition

    my @times = map { [ sort { $a <=> $b } keys %{$_->{times}} ] } @video;
    my $aligned = @times == 3;
    for my $i (1 .. $#times) {
        $aligned &&= same_grid($times[0], $times[$i]);
    }
    ok($aligned, "$f: renditions cut at the same times")
        or diag(explain(\@times));
}

$t->stop_publisher($pub);

$t->done_testing();


###############################################################################

sub resolve {
    my ($base, $rel) = @_;

    return $rel if $rel =~ m{^https?://|^/};
    (my $dir = $base) =~ s{[?#].*$}{};
    $dir =~ s{[^/]*$}{};
    return $dir . $rel;
}


# [{ type, id, init (path or undef), segment (path), times {t => 1} }]
sub hls_renditions {
    my ($path, $master) = @_;

    my (@reps, %seen);
    my @lines = split /\r?\n/, $master;

    my @pl;
    for my $i (0 .. $#lines) {
        if ($lines[$i] =~ /^#EXT-X-MEDIA:(.*)/) {
            my $a = $1;
            next unless $a =~ /URI="([^"]+)"/;
            my $uri = $1;
            my ($type) = $a =~ /TYPE=(\w+)/;
            push @pl, [ lc($type // 'audio'), $uri ];
        }
        if ($lines[$i] =~ /^#EXT-X-STREAM-INF:(.*)/ && $i < $#lines) {
            # an audio-only variant (CODECS without a video codec) is audio
            my ($codecs) = $1 =~ /CODECS="([^"]*)"/;
            my $type = defined $codecs && $codecs !~ /avc|hvc|hev/
                ? 'audio' : 'video';
            push @pl, [ $type, $lines[$i + 1] ];
        }
    }

    for my $p (@pl) {
        my ($type, $uri) = @$p;
        my $pp = resolve($path, $uri);
        next if $seen{$pp}++;
        my $r = $t->get($pp);
        next unless $r->{status} == 200;

        my ($init) = $r->{body} =~ /#EXT-X-MAP:URI="([^"]+)"/;
        my @segs = grep { !/^#/ && /\S/ } split /\r?\n/, $r->{body};
        my %times = map { (/=(\d+)/ ? ($1 => 1) : ()) } @segs;

        push @reps, {
            type => $type,
            id => ($uri =~ /QualityLevels\((\d+)\)/ ? $1 : $uri),
            init => defined $init ? resolve($pp, $init) : undef,
            # the newest segment may be the one a client races with: take
            # the one before it
            segment => @segs >= 2 ? resolve($pp, $segs[-2]) : undef,
            times => \%times,
        };
    }

    return \@reps;
}


sub dash_renditions {
    my ($path, $mpd) = @_;

    my @reps;

    while ($mpd =~ m{<AdaptationSet\b([^>]*)>(.*?)</AdaptationSet>}gs) {
        my ($asattr, $as) = ($1, $2);
        my ($head) = $as =~ m{^(.*?)<Representation\b}s;
        my $as_tpl = template($head // '');

        while ($as =~ m{<Representation\b([^>]*?)(?:/>|>(.*?)</Representation>)}gs) {
            my ($rattr, $rbody) = ($1, $2 // '');
            my $tpl = template($rbody) // $as_tpl or next;
            my ($tag) = $tpl =~ m{^(<SegmentTemplate\b[^>]*>)}s;

            my $mime = attr($rattr, 'mimeType') // attr($asattr, 'mimeType')
                // attr($asattr, 'contentType') // '';
            my $type = $mime =~ /audio/ ? 'audio' : 'video';
            my %v = (RepresentationID => attr($rattr, 'id'),
                     Bandwidth => attr($rattr, 'bandwidth'));

            my $number = attr($tag, 'startNumber') // 1;
            my ($t0, @seg) = (0);
            while ($tpl =~ m{<S\b([^>]*)/?>}g) {
                my $s = $1;
                my $d = attr($s, 'd') // last;
                $t0 = attr($s, 't') // $t0;
                for (0 .. (attr($s, 'r') // 0)) {
                    push @seg, [ $t0, $number++ ];
                    $t0 += $d;
                }
            }
            my $expand = sub {
                my ($s, %x) = @_;
                my %all = (%v, %x);
                $s =~ s/\$(\w+)\$/$all{$1} \/\/ "\$$1\$"/ge;
                return resolve($path, $s);
            };

            push @reps, {
                type => $type,
                id => $v{RepresentationID} // $v{Bandwidth},
                init => defined attr($tag, 'initialization')
                    ? $expand->(attr($tag, 'initialization')) : undef,
                segment => @seg >= 2
                    ? $expand->(attr($tag, 'media'), Time => $seg[-2][0],
                                Number => $seg[-2][1])
                    : undef,
                times => { map { ($_->[0] => 1) } @seg },
            };
        }
    }

    return \@reps;
}


sub template {
    my ($xml) = @_;

    return $1 if $xml =~ m{(<SegmentTemplate\b[^>]*[^/]>.*?</SegmentTemplate>)}s;
    return $1 if $xml =~ m{(<SegmentTemplate\b[^>]*/>)}s;
    return undef;
}


sub attr {
    my ($tag, $name) = @_;

    return $tag =~ /\b\Q$name\E="([^"]*)"/ ? $1 : undef;
}


# downloads init + segment of a rendition into a file and probes it
sub probe_segment {
    my ($rep, $f) = @_;

    return { streams => [], format => {}, error => 'no segment' }
        unless $rep->{segment};

    my $data = '';
    for my $p (grep { defined } $rep->{init}, $rep->{segment}) {
        my $r = $t->get($p);
        return { streams => [], format => {},
                 error => "GET $p: $r->{status}" }
            unless $r->{status} == 200;
        $data .= $r->{body};
    }

    my $file = $t->testdir . "/seg-$f-$rep->{type}-$rep->{id}"
        . ($f =~ /^m3u8-aapl/ ? '.ts' : '.mp4');
    open my $fh, '>:raw', $file or die "$file: $!";
    print $fh $data;
    close $fh;

    my ($j, $err) = probe($file, '-count_packets');
    return $j ? { %$j, error => $err }
              : { streams => [], format => {}, error => $err };
}


sub probe {
    my ($what, @args) = @_;

    my ($out, $err) = ('', '');
    eval {
        IPC::Run::run([ 'ffprobe', '-v', 'error', '-of', 'json',
            '-show_streams', '-show_format', @args, $what ],
            '<', \undef, '>', \$out, '2>', \$err, IPC::Run::timeout(60));
    };
    $err .= $@ if $@;
    my $j = eval { JSON::PP::decode_json($out) };
    return ($j, $err);
}


# two sorted lists of cut times agree where they overlap
sub same_grid {
    my ($x, $y) = @_;

    return 0 unless @$x && @$y;
    my %y = map { ($_ => 1) } @$y;
    my ($lo, $hi) = ($y->[0], $y->[-1]);
    my @in = grep { $_ >= $lo && $_ <= $hi } @$x;
    return 0 if @in < 2;
    return !grep { !$y{$_} } @in;
}
