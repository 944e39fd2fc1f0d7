package provider

import (
	"bytes"
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/openkonnect/terraform-provider-konnect/client"
)

// konnect_gateway_consumer_group_member is a membership, not an entity: it has no id of its
// own and no update. Unlike Kong's provider, it can be imported.

var (
	_ resource.ResourceWithConfigure   = (*gatewayConsumerGroupMemberResource)(nil)
	_ resource.ResourceWithImportState = (*gatewayConsumerGroupMemberResource)(nil)
)

// NewGatewayConsumerGroupMemberResource returns the konnect_gateway_consumer_group_member resource.
func NewGatewayConsumerGroupMemberResource() resource.Resource {
	return &gatewayConsumerGroupMemberResource{}
}

type gatewayConsumerGroupMemberResource struct {
	client *client.Client
}

type consumerGroupMemberModel struct {
	ControlPlaneID  types.String `tfsdk:"control_plane_id"`
	ConsumerGroupID types.String `tfsdk:"consumer_group_id"`
	ConsumerID      types.String `tfsdk:"consumer_id"`
}

func (r *gatewayConsumerGroupMemberResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_gateway_consumer_group_member"
}

func (r *gatewayConsumerGroupMemberResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	replace := []planmodifier.String{stringplanmodifier.RequiresReplace()}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Makes a consumer a member of a consumer group, so the group's plugins (a rate-limiting tier, for example) apply to it.",
		Attributes: map[string]schema.Attribute{
			controlPlaneIDAttr: schema.StringAttribute{Required: true, PlanModifiers: replace,
				MarkdownDescription: "The id of the control plane of the group and the consumer."},
			"consumer_group_id": schema.StringAttribute{Required: true, PlanModifiers: replace,
				MarkdownDescription: "The consumer group's id."},
			"consumer_id": schema.StringAttribute{Required: true, PlanModifiers: replace,
				MarkdownDescription: "The consumer's id."},
		},
	}
}

func (r *gatewayConsumerGroupMemberResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client = configuredClient(req.ProviderData, &resp.Diagnostics)
}

func (r *gatewayConsumerGroupMemberResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var m consumerGroupMemberModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	cp, ok := memberControlPlane(m, &resp.Diagnostics)
	if !ok {
		return
	}
	body := map[string]any{"consumer": m.ConsumerID.ValueString()}
	// A membership is unique by its consumer and group: after a lost answer, an existing
	// one is the one this create made.
	consumer, group := m.ConsumerID.ValueString(), m.ConsumerGroupID.ValueString()
	_, err := createOnce(
		func() (struct{}, error) {
			httpResp, err := r.client.AddConsumerToGroupWithBody(ctx, cp, group, jsonContent, bytes.NewReader(mustJSON(body)))
			if httpResp != nil {
				_ = httpResp.Body.Close()
			}
			return struct{}{}, err
		},
		func() (struct{}, bool, error) {
			member, err := r.isMember(ctx, cp, consumer, group)
			return struct{}{}, member, err
		})
	if err != nil {
		resp.Diagnostics.Append(apiErrorDiagnostic("add", "consumer to consumer group", err, body, cp.String()))
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (r *gatewayConsumerGroupMemberResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var m consumerGroupMemberModel
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	cp, ok := memberControlPlane(m, &resp.Diagnostics)
	if !ok {
		return
	}
	member, err := r.isMember(ctx, cp, m.ConsumerID.ValueString(), m.ConsumerGroupID.ValueString())
	switch {
	case client.IsNotFound(err) || err == nil && !member:
		// The consumer, the group or the membership went away outside Terraform.
		resp.State.RemoveResource(ctx)
	case err != nil:
		resp.Diagnostics.Append(apiErrorDiagnostic("read", "consumer group membership", err, nil, cp.String()))
	default:
		resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
	}
}

// isMember pages through the consumer's groups, matching the group by id or name.
func (r *gatewayConsumerGroupMemberResource) isMember(ctx context.Context, cp client.ControlPlaneId, consumer, group string) (bool, error) {
	groups := client.All(ctx, func(ctx context.Context, offset *string) ([]client.ConsumerGroup, *string, error) {
		res, err := r.client.ListConsumerGroupsForConsumerWithResponse(ctx, cp, consumer, &client.ListConsumerGroupsForConsumerParams{Offset: offset})
		if err != nil {
			return nil, nil, err
		}
		if res.JSON200 == nil {
			return nil, nil, fmt.Errorf("listing the consumer's groups: unexpected answer %d", res.StatusCode())
		}
		return client.Items(res.JSON200.Data), res.JSON200.Offset, nil
	})
	for g, err := range groups {
		if err != nil {
			return false, err
		}
		if g.Id != nil && *g.Id == group || g.Name == group {
			return true, nil
		}
	}
	return false, nil
}

// Update is never called: every attribute forces a new membership.
func (r *gatewayConsumerGroupMemberResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var m consumerGroupMemberModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (r *gatewayConsumerGroupMemberResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var m consumerGroupMemberModel
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	cp, ok := memberControlPlane(m, &resp.Diagnostics)
	if !ok {
		return
	}
	httpResp, err := r.client.RemoveConsumerFromGroup(ctx, cp, m.ConsumerGroupID.ValueString(), m.ConsumerID.ValueString())
	if httpResp != nil {
		_ = httpResp.Body.Close()
	}
	if err != nil && !client.IsNotFound(err) {
		resp.Diagnostics.Append(apiErrorDiagnostic("remove", "consumer from consumer group", err, nil, cp.String()))
	}
}

// ImportState takes {"consumer_group_id": "...", "consumer_id": "...", "control_plane_id": "..."}.
func (r *gatewayConsumerGroupMemberResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	keys := []string{controlPlaneIDAttr, "consumer_group_id", "consumer_id"}
	importJSONID(ctx, req, resp, keys)
}

func memberControlPlane(m consumerGroupMemberModel, diags *diag.Diagnostics) (client.ControlPlaneId, bool) {
	cp, err := uuid.Parse(m.ControlPlaneID.ValueString())
	if err != nil {
		diags.AddAttributeError(path.Root(controlPlaneIDAttr), "Invalid control plane id", fmt.Sprintf("%q is not a UUID.", m.ControlPlaneID.ValueString()))
		return uuid.UUID{}, false
	}
	return cp, true
}
