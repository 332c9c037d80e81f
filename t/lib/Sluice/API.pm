package Sluice::API;

# Copyright (C) 2026, The Sluice authors.

=head1 NAME

Sluice::API - the AMS v3 REST API and live events, for tests

=head1 SYNOPSIS

    my $t = Test::Sluice->new();        # has these methods
    $t->write_sluice_conf();
    $t->run();

    my $ev = $t->create_live_event('ev1', token => $token);
    my $r = $t->api(GET => 'liveEvents/ev1');
    is($r->{json}{properties}{resourceState}, 'Running', 'running');

    my $loc = $t->create_preview_event('ev2', $token);   # previewLocator

=head1 DESCRIPTION

A role of L<Test::Sluice>: its methods are methods of every test object
(C<< $t->api(...) >>).  They use only the harness's public methods
(C<http>, C<wait_for>, C<account>, C<api_key>), never its internals.

=head1 METHODS

=over

=item api_path($path)

C<$path> unless it starts with C</>: prefixed with
C</subscriptions/SUB/resourceGroups/RG/providers/Microsoft.Media/mediaServices/ACCOUNT/>
(C<$Sluice::API::SUBSCRIPTION>, C<$Sluice::API::RESOURCE_GROUP>,
C<< $t->account >>).

=item api($method, $path, $data, %opts)

an AMS v3 REST call: C<api_path($path)>, adds C<api-version=2022-08-01>
unless C<query> already has one, sends C<Authorization: Bearer API_KEY>
and $data as JSON.  The result is that of C<< $t->http >> plus C<json>
(the decoded body, or undef).  Options as for C<http> plus C<query>,
C<key> (another API key, or '' for none).

=item create_live_event($name, %opts)

PUT a live event then (unless C<start =E<gt> 0>) start it and wait until it
is C<Running>.  Options: C<token> (accessToken), C<locator>
(previewLocator), C<input>, C<preview>, C<properties> (hashrefs merged into
the body; keyFrameIntervalDuration defaults to PT2S), C<location>,
C<timeout>.  Returns the live event (decoded GET), or undef after a
diagnostic.  Read C<< ->{properties}{input}{endpoints}[0]{url} >> for the
ingest URL and C<< ->{properties}{preview}{previewLocator} >>.

=item create_preview_event($name, $token)

a running C<PassthroughBasic> live event with that access token (30 s to
start); returns its preview locator, or undef.

=item live_event_state($name), live_event_action($name, $action, $state, $timeout)

the C<resourceState> ('' when absent); POST C<start>/C<stop>/C<reset>/...
then wait ($timeout, default 20 s) until the state is $state (when
given).

=back

=cut

use strict;
use warnings;

use JSON::PP ();
use Test::More ();

# Sluice ignores both: any value is accepted
our $SUBSCRIPTION = '00000000-0000-0000-0000-000000000000';
our $RESOURCE_GROUP = 'sluice';

sub api_path {
    my ($self, $path) = @_;

    return $path if $path =~ m{^/};
    return "/subscriptions/$SUBSCRIPTION/resourceGroups/$RESOURCE_GROUP"
        . "/providers/Microsoft.Media/mediaServices/" . $self->account
        . "/$path";
}

sub api {
    my ($self, $method, $path, $data, %o) = @_;

    my $url = $self->api_path($path);
    my $query = $o{query} // '';
    $query = join('&', grep { length } $query, 'api-version=2022-08-01')
        unless $query =~ /api-version=/;
    $url .= ($url =~ /\?/ ? '&' : '?') . $query;

    my %h = %{$o{headers} // {}};
    my $key = $o{key} // $self->api_key;
    $h{Authorization} = "Bearer $key" if length $key;

    my $body;
    if (defined $data) {
        $body = ref $data ? JSON::PP->new->canonical->encode($data) : $data;
        $h{'Content-Type'} //= 'application/json';
    }

    my $r = $self->http($method, $url, %o, headers => \%h,
        (defined $body ? (body => $body) : ()));
    $r->{json} = eval { JSON::PP->new->decode($r->{body}) }
        if length $r->{body};
    return $r;
}

sub live_event_state {
    my ($self, $name) = @_;

    my $g = $self->api(GET => "liveEvents/$name");
    return $g->{json}{properties}{resourceState} // '';
}

sub live_event_action {
    my ($self, $name, $action, $want, $timeout) = @_;

    my $r = $self->api(POST => "liveEvents/$name/$action", {});
    unless ($r->{status} =~ /^20[02]$/) {
        Test::More::diag("$action $name: $r->{status} $r->{body}");
        return undef;
    }
    return 1 unless defined $want;
    return $self->wait_for(sub { $self->live_event_state($name) eq $want },
        timeout => $timeout // 20, what => "live event $name $want");
}

sub create_live_event {
    my ($self, $name, %o) = @_;

    my %input = (
        streamingProtocol => 'RTMP',
        keyFrameIntervalDuration => 'PT2S',
        (defined $o{token} ? (accessToken => $o{token}) : ()),
        %{$o{input} // {}},
    );
    my %preview = (
        (defined $o{locator} ? (previewLocator => $o{locator}) : ()),
        %{$o{preview} // {}},
    );
    my %props = (input => \%input, preview => \%preview,
        %{$o{properties} // {}});

    my $r = $self->api(PUT => "liveEvents/$name",
        { location => $o{location} // 'local', properties => \%props });
    unless ($r->{status} =~ /^20[01]$/) {
        Test::More::diag("create $name: $r->{status} $r->{body}");
        return undef;
    }

    if ($o{start} // 1) {
        $self->live_event_action($name, 'start', 'Running', $o{timeout})
            or return undef;
    }

    return $self->api(GET => "liveEvents/$name")->{json};
}

sub create_preview_event {
    my ($self, $name, $token) = @_;

    my $ev = $self->create_live_event($name, token => $token, timeout => 30,
        properties => { encoding => { encodingType => 'PassthroughBasic' } });

    return $ev && $ev->{properties}{preview}{previewLocator};
}

1;
